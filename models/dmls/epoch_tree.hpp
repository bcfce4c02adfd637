// One device's view of a DMLS group: a tree of epochs identified by their dmls_epoch, each a
// retained MLS group state. Commits are processed on whichever retained epoch they name — a second
// commit on one epoch forks it; application messages are decrypted in the epoch they name; a
// message for an epoch not reached yet is buffered until the commit creating that epoch is
// processed, and a merge commit naming key material (a PSK) of an epoch not held yet until the
// tree holds more epochs; every message that can never be decrypted is classified with its cause.
//
// What is retained is decided outside (retention policies call forget()); fork choice and merge
// likewise. The device's own commits stay pending on a copy of their epoch until the delivery
// path echoes them, as in MLS; the epoch they were made on stays retained for rival commits.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <unordered_map>
#include <vector>

#include <boost/container/small_vector.hpp>

#include "models/dmls/dmls_message.hpp"
#include "models/dmls/identity_table.hpp"
#include "models/dmls/superseded_index.hpp"
#include "models/dmls/tree_tables.hpp"
#include "models/mls/group.hpp"
#include "sim/time.hpp"

namespace dmlssim::models::dmls {

// Why a message can never be decrypted.
enum class Undecryptable : std::uint8_t {
  kEpochDeleted,       // its epoch was retained once and forgotten
  kEpochNeverReached,  // its epoch was never derived (given up while buffered)
  kKeyConsumed,        // its ratchet key was used already (a replay)
  kKeyTooOld,          // outside the out-of-order window
  kKeyTooFarAhead,     // beyond maximum_forward_distance
  kRejected,           // any other refusal (bad signature, not a member, ...): see `rejection`
};
const char* to_string(Undecryptable cause);

struct TreeEvent {
  enum class Kind : std::uint8_t {
    kEpochCreated,     // a commit was processed: `child` is new (`own_commit` if it was ours)
    kRemoved,          // a commit on `epoch` removed this device: no child for it on that fork
    kDuplicateCommit,  // a commit already processed on `epoch` (its child: `child`)
    kApplication,      // `received.application_data` decrypted in `epoch`
    kProposal,         // a proposal cached in `epoch`
    kBuffered,         // `epoch` not reached yet (or, for a merge, a head whose PSK it
                       // carries): held until a commit creates it
    kUndecryptable,    // never decryptable: `cause` (and `rejection` for kRejected)
  };
  Kind kind = Kind::kApplication;
  Bytes epoch;  // the epoch the message names
  Bytes child;  // commits: the epoch created
  bool own_commit = false;
  mls::Received received;
  Undecryptable cause = Undecryptable::kRejected;
  mls::Rejection rejection = mls::Rejection::kMalformed;
};

// What one message did: most messages do one thing (held inline, no allocation); a commit that
// creates an epoch also releases what was waiting for it.
using TreeEvents = boost::container::small_vector<TreeEvent, 1>;

// Sets of byte strings: credential identities, epoch identities.
using ByteSet = std::set<Bytes, mls::BytesLess>;
using Identities = ByteSet;

// The credential identities of a tree's members.
Identities member_identities(const mls::RatchetTree& tree);

// What the device remembers of every epoch it ever held, secrets or not: enough to compare forks
// after the epoch itself is forgotten. The facts are shared (TreeTables); what is the device's
// own is who it saw sending and when it entered and left the epoch (about 64 bytes).
struct EpochRecord {
  std::shared_ptr<const EpochFacts> facts;
  const Bytes& parent() const { return facts->parent; }  // empty for the root
  std::uint64_t number() const { return facts->number; }
  // Credential identity of the commit's sender (empty: root, external commit).
  const Bytes& committer() const { return facts->committer; }
  const Bytes& confirmation_tag() const { return facts->confirmation_tag; }
  const Bytes& confirmed_transcript_hash() const { return facts->confirmed_transcript_hash; }
  std::uint32_t removed() const { return facts->removed; }  // leaves the creating commit blanked
  std::uint32_t added() const { return facts->added; }      // leaves it filled
  // Seen committing or sending in it (sorted ids of the tree's identity table, which names them:
  // EpochTree::senders).
  const std::vector<IdentityId>& senders() const;
  sim::SimTime created_at;
  std::optional<sim::SimTime> superseded_at;  // when its first child was created

 private:
  friend class EpochTree;
  // False: seen already. A shared list is changed as ListChanges shares the change.
  bool note_sender(IdentityId id, TreeTables::SenderChanges& changes);
  // Null: none. Once the epoch is superseded, shared with the records of other devices that saw
  // the same senders (TreeTables::settled_senders), and copied again before a change.
  mls::SharedList<IdentityId> senders_;
};

// Forward-secrecy exposure: secret bytes held beyond RFC 9420's deletion schedule (an epoch's
// secrets go when its first successor is entered) times how long, in byte-seconds, by kind.
struct Exposure {
  double tree_private_keys = 0;  // HPKE private keys: not protected by the PPRF
  double successor_init = 0;     // PPRF material: protected (taken successors cannot be rederived)
  double message_keys = 0;       // secret trees kept to read late messages
};

class EpochTree {
 public:
  // `root` is the device's group at the first epoch it holds (created, joined or restored).
  // `tables` holds the identities and epoch facts of its records (shared by the trees of a run;
  // null: the tree's own).
  EpochTree(const mls::CryptoProvider& crypto, mls::Group root,
            std::shared_ptr<TreeTables> tables = nullptr);
  // Movable, not copyable: the groups' PSK lookups share the tree's anchor (psk_anchor_).
  EpochTree(EpochTree&&) noexcept = default;
  EpochTree& operator=(EpochTree&&) noexcept = default;
  EpochTree(const EpochTree&) = delete;
  EpochTree& operator=(const EpochTree&) = delete;

  // The device's clock (sans-IO: the caller moves it before handing in what happens at that time).
  // Exposure accrues from the previous time with the state as it was. Throws
  // std::invalid_argument when `now` goes back.
  void set_now(sim::SimTime now);
  sim::SimTime now() const { return now_; }
  const Exposure& exposure() const { return exposure_; }
  // Bytes held now by retained epochs that RFC 9420 would have deleted (superseded ones): kept
  // as the epochs change, not summed at each call.
  mls::Group::HeldBytes retained_beyond_rfc() const { return retained_; }

  // What the message led to, followed by what the buffered messages it released led to. A
  // message held for an epoch not reached is kept by the pointer: the devices of a room share
  // one copy.
  TreeEvents receive(const std::shared_ptr<const SharedDmlsMessage>& message);
  TreeEvents receive(const DmlsMessage& message) {
    return receive(std::make_shared<const SharedDmlsMessage>(message));
  }

  // Sending in a retained epoch. Throws std::out_of_range for an epoch not held, GroupError from
  // the group. A commit stays pending until it is received back; its epoch stays as it was.
  DmlsMessage protect(const Bytes& epoch, const Bytes& application_data);
  struct OwnCommit {
    DmlsMessage commit;
    std::optional<mls::MlsMessage> welcome;
    std::optional<mls::GroupInfo> group_info;  // with options.group_info
  };
  OwnCommit commit(const Bytes& epoch, const mls::CommitOptions& options = {});

  // Joins an epoch by Welcome (added by a merge, say) as a new root of the tree, with the merge
  // PSKs of the epochs held; returns the epoch joined and what messages waiting for it led to.
  // Throws GroupError from the join.
  TreeEvents join(const mls::GroupConfig& config, const mls::Welcome& welcome,
                  const mls::KeyPackage& key_package, const mls::KeyPackageSecrets& secrets,
                  mls::Drbg drbg);
  // The same with a configuration other groups share (mls::Group::join).
  TreeEvents join(std::shared_ptr<const mls::GroupConfig> config, const mls::Welcome& welcome,
                  const mls::KeyPackage& key_package, const mls::KeyPackageSecrets& secrets,
                  mls::Drbg drbg);

  // Where a read of the epoch found last begins: the epoch's entry (its id, then its node and
  // the group's first lines) and its record. For prefetching only: the addresses may be stale
  // by the next read (a prefetch of any address is harmless).
  struct ReadLines {
    const void* entry = nullptr;  // null: no epoch found yet
    const void* entry_end = nullptr;
    const void* record = nullptr;
  };
  ReadLines read_lines() const;
  // Starts loading the tree's first lines (what every receive() touches first).
  void prefetch() const;

  bool holds(const Bytes& epoch) const { return epochs_.count(epoch) != 0; }
  // Every epoch held now or before (throws std::out_of_range for others).
  const EpochRecord& record(const Bytes& epoch) const { return records_.at(epoch); }
  // The identities seen committing or sending in an epoch held now or before.
  Identities senders(const Bytes& epoch) const;
  const IdentityTable& identities() const { return tables_->identities; }
  // Held now or before.
  bool knows(const Bytes& epoch) const { return records_.count(epoch) != 0; }
  const mls::Group& group(const Bytes& epoch) const;
  const Bytes& root() const { return root_; }
  // The epoch a held epoch was created from (empty for the root; it may have been forgotten).
  Bytes parent(const Bytes& epoch) const;
  // Held epochs with no held child, in the order they were created (kept as the tree changes).
  const std::vector<Bytes>& heads() const { return heads_; }
  // Held epochs that are not heads and were superseded at or before `t` (all of them are
  // superseded: a held child supersedes), in creation order; and when the first of them was
  // superseded (none: nullopt). Both O(log n + answer): retention asks at every commit.
  std::vector<Bytes> superseded_by(sim::SimTime t) const;
  std::optional<sim::SimTime> earliest_superseded() const;
  // Held epochs and every epoch ever held, in creation order.
  std::vector<Bytes> held_epochs() const;
  std::vector<Bytes> known_epochs() const;

  // Drops a held epoch (its secrets and keys): later messages for it are kEpochDeleted.
  void forget(const Bytes& epoch);
  // Classifies every buffered message as kEpochNeverReached and empties the buffer (merges waiting
  // for a PSK are dropped: no reader counts them).
  TreeEvents give_up();
  // Messages held: buffered for their epoch, and merges waiting for a PSK.
  std::size_t buffered() const;

 private:
  struct Node {  // (the record first: a read touches it and the group's first lines)
    EpochRecord* record = nullptr;  // its entry in records_ (entries never move nor go)
    std::uint64_t created = 0;      // creation order, for heads()
    std::uint32_t held_children = 0;
    mls::Group group;
  };
  using Nodes = std::unordered_map<Bytes, Node, mls::DigestHash, mls::BytesEqual>;
  struct Pending {
    Bytes encoded;     // the MLSMessage as sent
    mls::Group group;  // the epoch's copy holding the pending commit
  };
  using Held = std::shared_ptr<const SharedDmlsMessage>;
  // Appends to `out` what the message did (one event; released messages are release()'s).
  void handle(const Held& message, TreeEvents& out);
  // Holds a new epoch (its record is in records_ already) and updates heads_ and superseded_.
  // `record`: its entry in records_, and `parent_entry` its parent's node, when the caller has
  // them (found otherwise).
  Node& emplace_node(const Bytes& id, mls::Group group, EpochRecord* record = nullptr,
                     Nodes::value_type* parent_entry = nullptr);
  // A record for an epoch the tree starts from or joins (its own facts: no parent, no commit).
  EpochRecord root_record(const mls::Group& group) const;
  // heads_ and superseded_ as a node gains its first held child or loses its last.
  void becomes_inner(const Bytes& id, Node& node);
  void becomes_head(const Bytes& id, const Node& node);
  void insert_head(const Bytes& id, std::uint64_t created);
  // The record of a superseded epoch takes an equal sender list another device settled on.
  void settle_senders(const Bytes& id, EpochRecord& record);
  // Notes a sender in a held epoch's record (settled again when the epoch is superseded).
  void note_sender(const Bytes& id, Node& node, const Bytes& identity);
  // Appends to `out` what the messages waiting for `created` epochs lead to.
  void release(TreeEvents& out, std::vector<Bytes> created);
  TreeEvent handle_commit(const Held& message, Nodes::value_type& entry);
  // dmls_epoch_of(secrets), found again in the run's tables when another device entered the epoch.
  Bytes epoch_id_of(const mls::EpochSecrets& secrets);
  // Fills `e` (default-constructed) with what an application message or proposal did.
  void handle_other(const Held& held, Node& node, TreeEvent& e);
  void add_epoch(Nodes::value_type& parent, mls::Group group, TreeEvent& event);
  // Makes `group` (and every epoch and copy from it) find the merge PSKs of the held epochs.
  void look_up_merge_psks(mls::Group& group) const;

  // What reading a message touches, first and together (two cache lines).
  // The entry handle() found last (a device reads many messages of its head epoch in a row):
  // the next look-up for the same epoch skips the hash table. Null after any erase.
  Nodes::value_type* last_found_ = nullptr;
  sim::SimTime now_;
  // The sum of retained_by over the held epochs, moved by each change to one of them: a message
  // key used, a commit made or processed on it (its successor-init state is shared with the
  // copy), its first child, forget().
  mls::Group::HeldBytes retained_;
  Exposure exposure_;
  std::vector<Bytes> released_;  // epochs created during one receive()
  std::shared_ptr<TreeTables> tables_;
  const mls::CryptoProvider* crypto_;
  Bytes root_;
  std::uint64_t created_ = 0;
  Nodes epochs_;
  ByteSet forgotten_;
  std::map<Bytes, std::vector<Held>, mls::BytesLess> buffer_;  // by the epoch they await
  std::vector<Held> psk_wait_;  // commits naming a merge PSK of an epoch not held yet
  std::map<Bytes, std::vector<Pending>, mls::BytesLess> pending_;  // own commits, by epoch
  // This tree's index in tables_ (its byte in TreeTables::commits).
  std::uint32_t index_ = 0;
  std::unordered_map<Bytes, EpochRecord, mls::DigestHash, mls::BytesEqual> records_;
  // Every epoch ever held, in creation order: the keys of records_ (never dropped nor moved).
  std::vector<const Bytes*> known_order_;
  static mls::Group::HeldBytes retained_by(const Node& node);  // zero unless superseded
  void move_retained(const mls::Group::HeldBytes& was, const mls::Group::HeldBytes& is);
  struct Accounting {  // accounts a change to `node` when it goes out of scope
    Accounting(EpochTree& tree, const Node& node)
        : tree(tree), node(node), before(retained_by(node)) {}
    ~Accounting() { tree.move_retained(before, retained_by(node)); }
    Accounting(const Accounting&) = delete;
    Accounting& operator=(const Accounting&) = delete;
    EpochTree& tree;
    const Node& node;
    mls::Group::HeldBytes before;
  };
  std::vector<Bytes> heads_;  // held epochs without a held child, in creation order
  // Held epochs with a held child, by when they were superseded, then creation order (the id
  // points at the key in epochs_, which does not move).
  SupersededIndex superseded_;
  std::shared_ptr<PskAnchor> psk_anchor_;  // the tables' (tree_tables.hpp)
  struct LendPsks {                        // names the tree in the anchor while it lives
    explicit LendPsks(const EpochTree& tree) : anchor(*tree.psk_anchor_) { anchor.tree = &tree; }
    ~LendPsks() { anchor.tree = nullptr; }
    LendPsks(const LendPsks&) = delete;
    LendPsks& operator=(const LendPsks&) = delete;
    PskAnchor& anchor;
  };
  // The merge PSK of a held epoch (none for others).
  std::optional<Bytes> merge_psk_of(const Bytes& epoch) const;
};

}  // namespace dmlssim::models::dmls
