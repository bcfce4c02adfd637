// The secret tree as a member holds it during an epoch (RFC 9420 §9): node secrets derived on
// demand from the encryption_secret and deleted once both children are derived, one handshake and
// one application hash ratchet per leaf, keys deleted after one use, and a bounded window for
// out-of-order messages (§9.2: out_of_order_tolerance past generations kept, at most
// maximum_forward_distance generations skipped ahead).
//
// Every member of an epoch derives the same node secrets and ratchet keys; the derivations are
// done once, in a SharedSecretTree that the members' states share (DESIGN.md §4). What is the
// member's own is which secrets it still holds: the leaves it opened, each ratchet's next
// generation and the skipped generations it keeps. A key it deleted is never handed out again.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "models/mls/boxed.hpp"
#include "models/mls/secret_tree.hpp"
#include "models/mls/shared_list.hpp"

namespace dmlssim::models::mls {

struct SecretTreeLimits {
  std::uint32_t out_of_order_tolerance = 10;      // skipped keys kept per ratchet
  std::uint32_t maximum_forward_distance = 1000;  // generations a message may jump ahead
};

enum class RatchetType : std::uint8_t { kHandshake, kApplication };

enum class KeyError : std::uint8_t {
  kNone,
  kConsumed,     // that generation's key was used (or deleted after use)
  kTooOld,       // older than the out-of-order window
  kTooFarAhead,  // beyond maximum_forward_distance
  kNoSuchLeaf,
};
const char* to_string(KeyError e);

// A leaf a member opened: the next generation of its two ratchets (handshake, application).
struct OpenedLeaf {
  LeafIndex leaf = 0;
  std::uint32_t generation[2] = {0, 0};
  bool operator==(const OpenedLeaf& o) const {
    return leaf == o.leaf && generation[0] == o.generation[0] && generation[1] == o.generation[1];
  }
};
using OpenedLeaves = std::vector<OpenedLeaf>;  // by leaf, ascending

// One epoch's secret-tree derivations (node secrets, each ratchet's keys by generation), computed
// on first demand and kept for every member of the epoch. Holds no member's deletion state, but
// lends the members the opened-leaf lists they settled on (SecretTreeState::settle).
class SharedSecretTree {
 public:
  // Changes the members made to opened-leaf lists they shared (members that read the same
  // messages in the same order hold one list). A list is a value, the same in any epoch: one
  // memory may serve the epochs of a run.
  using Changes = ListChanges<OpenedLeaf>;
  static constexpr std::size_t kOwnChanges = 64;  // slots of a tree's own memory
  // `changes`: the run's (null: the tree's own).
  SharedSecretTree(const CryptoProvider& crypto, const Bytes& encryption_secret,
                   std::uint32_t n_leaves, std::shared_ptr<Changes> changes = nullptr);
  std::uint32_t leaves() const { return leaves_; }
  // The key and nonce of `generation` of a leaf's ratchet.
  const KeyAndNonce& key(LeafIndex leaf, RatchetType type, std::uint32_t generation);
  // A list equal to `mine` that another member settled on, or `mine` (kept for the next ones).
  SharedList<OpenedLeaf> settle(SharedList<OpenedLeaf> mine) {
    return settled_.settle(std::move(mine));
  }
  Changes& changes() { return *changes_; }

 private:
  struct Chain {
    Bytes next_secret;              // the ratchet secret of generation keys.size()
    std::vector<KeyAndNonce> keys;  // by generation
  };
  const Bytes& node_secret(NodeIndex node);
  Chain& chain(LeafIndex leaf, RatchetType type);

  const CryptoProvider* crypto_;  // outlives the tree
  std::uint32_t leaves_;
  std::map<NodeIndex, Bytes> nodes_;
  std::map<std::pair<LeafIndex, int>, Chain> chains_;
  SettledLists<OpenedLeaf> settled_;
  std::shared_ptr<Changes> changes_;
};

class SecretTreeState {
 public:
  // `shared`: the epoch's derivations, when other members' states share them (null: own ones).
  SecretTreeState(const CryptoProvider& crypto, const Bytes& encryption_secret,
                  std::uint32_t n_leaves, SecretTreeLimits limits = {},
                  std::shared_ptr<SharedSecretTree> shared = nullptr);

  // The sender's next key: the current generation of its own ratchet, then the ratchet moves on.
  struct Next {
    std::uint32_t generation;
    KeyAndNonce key;
  };
  Next next(LeafIndex leaf, RatchetType type);

  // The key of a received message; used once.
  struct Taken {
    KeyError error = KeyError::kNone;
    KeyAndNonce key;
  };
  Taken take(LeafIndex leaf, RatchetType type, std::uint32_t generation);
  // take() without handing out the key (a member whose message another member of the epoch
  // opened already): the same checks and the same state after.
  KeyError use(LeafIndex leaf, RatchetType type, std::uint32_t generation);

  // Secrets held now (node secrets, ratchet secrets, window keys): what an attacker compromising
  // the member now would learn, for forward-secrecy accounting. Constant time.
  std::size_t secrets_held() const;
  // The epoch is superseded (a DMLS device retains it, and reads little more in it): the opened
  // leaves are shared with the members of the epoch that settled on the same ones — members that
  // read the same messages hold one list — and copied before a change, then settled again.
  void settle();
  // Whether this state and `other` hold one opened-leaf list (shared by settle()).
  bool shares_opened_leaves(const SecretTreeState& other) const {
    return opened_ != nullptr && opened_ == other.opened_;
  }

 private:
  // The next generation of a leaf's ratchet (0 for a leaf not opened yet).
  std::uint32_t next_generation(LeafIndex leaf, RatchetType type) const;
  // Sets it, opening the leaf first if it is not: its secret is derived down from the deepest
  // ancestor still held (each step keeps the sibling's secret) and deleted once its two ratchets
  // start. The list is changed through the epoch's shared changes (ListChanges).
  void set_generation(LeafIndex leaf, RatchetType type, std::uint32_t generation);
  KeyError use_key(LeafIndex leaf, RatchetType type, std::uint32_t generation);
  // Skipped generations kept for a ratchet (ascending); absent when none.
  std::vector<std::uint32_t>* window(LeafIndex leaf, RatchetType type, bool create);

  std::shared_ptr<SharedSecretTree> shared_;
  std::uint32_t leaves_;
  SecretTreeLimits limits_;
  SharedList<OpenedLeaf> opened_;  // null: none opened; may be shared once settled
  using Windows = std::map<std::pair<LeafIndex, int>, std::vector<std::uint32_t>>;
  Boxed<Windows> windows_;  // absent: no skipped keys kept (the usual case: a state per epoch)
  // secrets_held()'s terms, kept as they change (it is asked at every message).
  std::size_t node_secrets_ = 1, ratchets_started_ = 0, window_keys_ = 0;
  bool settled_ = false;  // settle() was called: each change is settled again
};

}  // namespace dmlssim::models::mls
