// The secret tree as a member holds it during an epoch (RFC 9420 §9): node secrets derived on
// demand from the encryption_secret and deleted once both children are derived, one handshake and
// one application hash ratchet per leaf, keys deleted after one use, and a bounded window for
// out-of-order messages (§9.2: out_of_order_tolerance past generations kept, at most
// maximum_forward_distance generations skipped ahead).
#pragma once

#include <map>
#include <optional>

#include "models/mls/secret_tree.hpp"

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

class SecretTreeState {
 public:
  SecretTreeState(const CryptoProvider& crypto, const Bytes& encryption_secret,
                  std::uint32_t n_leaves, SecretTreeLimits limits = {});

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

  // Secrets held now (node secrets, ratchet secrets, window keys): what an attacker compromising
  // the member now would learn, for forward-secrecy accounting.
  std::size_t secrets_held() const;

 private:
  struct Ratchet {
    bool started = false;
    Bytes secret;  // the secret of `generation`
    std::uint32_t generation = 0;
    std::map<std::uint32_t, KeyAndNonce> window;  // skipped generations still decryptable
  };
  Ratchet& ratchet(LeafIndex leaf, RatchetType type);
  Bytes take_leaf_secret(LeafIndex leaf);

  const CryptoProvider* crypto_;  // outlives the state
  std::uint32_t leaves_;
  SecretTreeLimits limits_;
  std::map<NodeIndex, Bytes> node_secrets_;  // derived, not yet consumed by both children
  std::map<std::pair<LeafIndex, int>, Ratchet> ratchets_;
  // secrets_held()'s terms, kept as they change (it is asked at every message).
  std::size_t ratchets_started_ = 0, window_keys_ = 0;
};

}  // namespace dmlssim::models::mls
