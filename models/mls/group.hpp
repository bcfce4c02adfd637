// One member's view of an MLS group (RFC 9420 §11-12): creation, joining by Welcome or by external
// commit, proposals by value and by reference, commits that stay pending until the delivery
// service accepts them, processing with the RFC's validation rules, application messages with
// max_past_epochs retention, ReInit. Sans-IO: every operation takes and returns MLSMessages.
// Rejections throw GroupError with a typed reason and leave the member's state unchanged.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "models/mls/boxed.hpp"
#include "models/mls/commit_transition.hpp"
#include "models/mls/crypto_provider.hpp"
#include "models/mls/drbg.hpp"
#include "models/mls/epoch_state.hpp"
#include "models/mls/group_bootstrap.hpp"
#include "models/mls/key_package.hpp"
#include "models/mls/message_owner.hpp"
#include "models/mls/path_keys.hpp"
#include "models/mls/proposal_list.hpp"
#include "models/mls/rejection.hpp"
#include "models/mls/secret_tree_state.hpp"
#include "models/mls/successor_init.hpp"
#include "models/mls/wire_messages.hpp"

namespace dmlssim::models::mls {

class EpochCache;

// External PSKs a group was not given with add_external_psk, looked up when a commit names them.
using PskLookup = std::function<std::optional<Bytes>(const Bytes& psk_id)>;

struct GroupConfig {
  const CryptoProvider* crypto = &real_crypto();
  std::uint32_t max_past_epochs = 0;        // earlier epochs whose application keys are kept
  SecretTreeLimits limits;                  // out_of_order_tolerance, maximum_forward_distance
  std::uint32_t resumption_psks_kept = 16;  // past epochs' resumption PSKs (PSK, ReInit, branch)
  bool private_handshake = false;           // proposals and commits as PrivateMessage
  std::size_t padding = 0;                  // zero bytes added to every PrivateMessage content
  // §12.4: a member holding valid proposals commits before it sends application data.
  bool commit_before_send = true;
  // Shares the public state of epochs between the members of a simulation (may be null).
  std::shared_ptr<EpochCache> cache;
  // How a successor epoch's init_secret is derived; empty: RFC 9420 (the epoch's init_secret).
  SuccessorInitFactory successor_init;
  PskLookup psk_lookup;  // may be empty
};

// External PSKs by psk_id.
using PskStore = std::map<Bytes, Bytes, BytesLess>;

// The PSKs a joiner can draw on: external ones, and resumption PSKs of groups it was in (a ReInit
// or branch Welcome names the old group's).
struct PskSources {
  PskStore external;
  std::map<Bytes, std::map<std::uint64_t, Bytes>, BytesLess> resumption;  // group_id, epoch
};

struct CommitOptions {
  std::vector<Proposal> by_value;  // proposals of the committer, included by value
  bool include_cached = true;      // commit the valid cached proposals by reference
  bool force_path = true;          // send a path even when no proposal requires one
  bool ratchet_tree_in_welcome = true;
  // Also sign a GroupInfo of the epoch the commit creates, with external_pub and without the
  // ratchet tree (§12.4.3: what a committer publishes so that others can join by external commit).
  bool group_info = false;
  Bytes authenticated_data;
};

struct CommitOutput {
  MlsMessage commit;
  std::optional<MlsMessage> welcome;    // when the commit adds members
  std::optional<GroupInfo> group_info;  // when options.group_info
};

// What handle() did with an accepted message.
struct Received {
  ContentType type = ContentType::kApplication;
  Sender sender;
  std::uint64_t epoch = 0;  // the epoch the message belongs to
  // Application messages: the plaintext (shared with the epoch cache's opened message: one copy
  // for every member that reads it). Null for other content.
  std::shared_ptr<const Bytes> application_data;
  Bytes proposal_ref;       // proposals
  bool own_commit = false;  // our pending commit, now merged
  bool removed = false;     // the commit removed this member
  bool reinit = false;      // the commit holds a ReInit: the group is frozen
};

class Group {
 public:
  enum class Status : std::uint8_t { kActive, kRemoved, kFrozen };

  // A one-member group at epoch 0 (§11) with `key_package`'s leaf.
  static Group create(GroupConfig config, Bytes group_id, const KeyPackage& key_package,
                      const KeyPackageSecrets& secrets, std::vector<Extension> extensions,
                      Drbg drbg);
  // Joins by Welcome (§12.4.3.1); `tree` when the GroupInfo carries no ratchet_tree extension.
  static Group join(GroupConfig config, const Welcome& welcome, const KeyPackage& key_package,
                    const KeyPackageSecrets& secrets, const std::optional<RatchetTree>& tree,
                    const PskSources& psks, Drbg drbg);
  // The same with a configuration other groups share (the members of a simulated room, say: one
  // object for all, where each group's own copy is a cold cache line at every message).
  static Group join(std::shared_ptr<const GroupConfig> config, const Welcome& welcome,
                    const KeyPackage& key_package, const KeyPackageSecrets& secrets,
                    const std::optional<RatchetTree>& tree, const PskSources& psks, Drbg drbg);
  // Joins by external commit (§12.4.3.2) from a GroupInfo with external_pub; `resync` removes
  // our old leaf in the same commit. The returned group holds the commit as pending.
  static std::pair<Group, MlsMessage> join_external(GroupConfig config, const GroupInfo& info,
                                                    const std::optional<RatchetTree>& tree,
                                                    const KeyPackage& key_package,
                                                    const KeyPackageSecrets& secrets,
                                                    std::optional<LeafIndex> resync, Drbg drbg);

  // Member `leaf` of a bootstrapped group (group_bootstrap.hpp).
  static Group restore(GroupConfig config, const BootstrappedGroup& group, LeafIndex leaf,
                       Drbg drbg);
  static Group restore(std::shared_ptr<const GroupConfig> config, const BootstrappedGroup& group,
                       LeafIndex leaf, Drbg drbg);

  // Proposals are cached by their sender like any received proposal.
  MlsMessage propose(const Proposal& proposal, const Bytes& authenticated_data = {});
  // An Update proposal with a fresh leaf encryption key.
  MlsMessage propose_update();
  // A commit of the cached proposals (and `options.by_value`); pending until merged.
  CommitOutput commit(const CommitOptions& options = {});
  bool has_pending_commit() const { return pending_.has_value(); }
  void merge_pending_commit();
  void discard_pending_commit();

  MlsMessage protect(const Bytes& application_data, const Bytes& authenticated_data = {});
  // Processes a PublicMessage or PrivateMessage; throws GroupError. `owner`, when given, keeps
  // `message` alive and unchanged: the epoch cache may hold it to know the message again by its
  // address alone (other members reading the same object then skip comparing its bytes).
  Received handle(const MlsMessage& message, MessageOwner owner = {});

  // GroupInfo of the current epoch, signed by this member.
  GroupInfo group_info(bool with_ratchet_tree, bool with_external_pub) const;

  Status status() const { return status_; }
  std::uint64_t epoch() const { return state_.pub->context.epoch; }
  const Bytes& group_id() const { return state_.pub->context.group_id; }
  LeafIndex own_leaf() const { return state_.own; }
  const EpochPublic& public_state() const { return *state_.pub; }
  // The transition of the commit that created the current epoch, when this member processed it
  // (null after a founding, a join, or an own commit merged without an epoch cache).
  const CommitTransition* creating_transition() const { return state_.origin.get(); }
  EpochPublicPtr shared_public_state() const { return state_.pub; }
  const Bytes& epoch_authenticator() const { return state_.secrets->epoch_authenticator; }
  // The key pairs this member holds for its leaf and the parent nodes of its path.
  const PathKeys& path_keys() const { return state_.path_keys; }
  // The epoch's secrets, for adversary models (a compromised member) and tests.
  const EpochSecrets& epoch_secrets() const { return *state_.secrets; }
  std::uint32_t member_count() const;
  const std::optional<ReInitProposal>& reinit() const;
  Bytes export_secret(const std::string& label, const Bytes& context, std::uint16_t length) const;
  // resumption_psk of a kept epoch (the current one included).
  std::optional<Bytes> resumption_psk(std::uint64_t epoch) const;
  // This group's kept resumption PSKs, as a joiner of a successor or branch passes them to join.
  PskSources resumption_sources() const;

  // §11.2: after a committed ReInit (status kFrozen), this member creates the successor group
  // with the ReInit's group_id, version, suite and extensions; its first commit adds `others`
  // and injects this group's last resumption PSK (usage reinit). §11.3 `branch`: the same from
  // an active group's current epoch into a new group_id (usage branch). The new group's commit
  // is pending; the Welcome goes to `others`, who join with resumption_sources().
  std::pair<Group, CommitOutput> reinit_successor(const KeyPackage& key_package,
                                                  const KeyPackageSecrets& secrets,
                                                  const std::vector<KeyPackage>& others,
                                                  Drbg drbg) const;
  std::pair<Group, CommitOutput> branch(Bytes group_id, const KeyPackage& key_package,
                                        const KeyPackageSecrets& secrets,
                                        const std::vector<KeyPackage>& others, Drbg drbg) const;
  std::size_t cached_proposals() const { return proposals().size(); }
  const PskStore& psks() const;
  void add_external_psk(Bytes psk_id, Bytes psk) {
    rare().psks[std::move(psk_id)] = std::move(psk);
  }
  // Kept by every later epoch and copy of this group (it is part of the configuration).
  void set_psk_lookup(PskLookup lookup);
  // The configuration object, shared with this group's copies (and maybe other groups); and
  // another one to share, which must equal this group's but for its PSK look-up.
  const std::shared_ptr<const GroupConfig>& shared_config() const { return config_; }
  void share_config(std::shared_ptr<const GroupConfig> config) { config_ = std::move(config); }

  // Forward-secrecy accounting: secrets held now (path keys, secret-tree nodes and keys of the
  // current and kept past epochs).
  std::size_t secrets_held() const;
  // The epoch is superseded and retained (DMLS): what its state holds like other members' is
  // shared with them (the secret tree's opened leaves), until it changes.
  void settle();
  // The same in bytes, by kind: HPKE private keys of the leaf and path; what derives successor
  // epochs (the init_secret, or a SuccessorInit's material); message keys (sender-data secrets,
  // secret-tree nodes and ratchet keys of the current and kept past epochs).
  struct HeldBytes {
    std::size_t tree_private_keys = 0;
    std::size_t successor_init = 0;
    std::size_t message_keys = 0;
  };
  HeldBytes held_bytes() const;

  // The private side of one epoch: keys of the own leaf and path, the epoch's secrets, the secret
  // tree. Public so that the commit machinery can build the next one.
  // (What reading a message touches comes first: pub, secrets, secret_tree.)
  struct MemberEpoch {
    EpochPublicPtr pub;
    // The same for every member of the epoch: shared through the epoch cache when there is one.
    std::shared_ptr<const EpochSecrets> secrets;
    std::optional<SecretTreeState> secret_tree;
    LeafIndex own = 0;
    PathKeys path_keys;          // own leaf and path nodes
    CommitTransitionPtr origin;  // keeps the shared transition alive for the epoch cache
    std::shared_ptr<SuccessorInit> successor_init;  // null: RFC 9420; shared by copies
  };

 private:
  struct CachedProposal {
    Bytes ref;
    ResolvedProposal proposal;
  };
  struct PendingCommit {
    Bytes encoded;  // the MLSMessage as sent, to recognise it when the DS delivers it
    MemberEpoch next;
    Bytes commit_secret, successor_context;  // what derived next's init_secret
    std::optional<ReInitProposal> reinit;
  };
  struct PastEpoch {
    std::uint64_t epoch;
    EpochPublicPtr pub;
    Bytes sender_data_secret;
    SecretTreeState secret_tree;
  };
  // An authenticated content (AuthenticatedContent of §6).
  struct Verified {
    WireFormat wire_format = WireFormat::kPublicMessage;
    // A PublicMessage's, in the handled message; or a PrivateMessage's as the epoch cache opened
    // it (kept alive by `keep`).
    const FramedContent* borrowed = nullptr;
    std::shared_ptr<const void> keep;
    std::optional<FramedContent> owned;  // a PrivateMessage's, decrypted
    const FramedContent& content() const { return borrowed != nullptr ? *borrowed : *owned; }
    Bytes signature;  // (not for a shared application message: nothing reads it)
    Bytes confirmation_tag;
    Bytes signature_key;  // the sender's; commits' signatures are checked in handle_commit
    // Commits: the FramedContentTBS (signature, transcript hash); shared with the epoch cache.
    std::shared_ptr<const Bytes> tbs;
  };

  Group(GroupConfig config, Drbg drbg);
  Group(std::shared_ptr<const GroupConfig> config, Drbg drbg);
  const GroupConfig& config() const { return *config_; }
  const CryptoProvider& crypto() const { return *config_->crypto; }
  const Bytes& signature_private_key() const { return *signature_private_key_; }
  void set_signature_private_key(const Bytes& key) {
    signature_private_key_ = std::make_shared<const Bytes>(key);
  }
  void require_active() const;
  WireFormat handshake_format() const;
  MlsMessage frame(const FramedContent& content, const Bytes& signature,
                   const Bytes& confirmation_tag);
  Verified verify(const MlsMessage& message, MessageOwner owner);
  // verify() of an application PrivateMessage through the epoch cache's opened messages.
  Verified verify_shared_application(const PrivateMessage& message, const EpochPublic& epoch,
                                     const Bytes& sender_data_secret, SecretTreeState& tree,
                                     MessageOwner owner);
  Received handle_proposal(const Verified& v);
  Received handle_commit(const Verified& v, const MlsMessage& message);
  std::vector<ResolvedProposal> resolve(const Commit& commit, const Sender& committer) const;
  // The cached proposal a commit names by reference; throws GroupError(kUnknownProposal).
  const CachedProposal& cached_proposal(const Bytes& ref) const;
  std::vector<CachedProposal> committable_cached() const;
  Bytes psk_secret_for(const std::vector<PreSharedKeyId>& ids) const;
  // The init_secret of the successor `commit_secret` and `successor_context` lead to; throws
  // GroupError(kSuccessorGivenUp) when this epoch can no longer derive it.
  Bytes successor_init_secret(const Bytes& commit_secret, const Bytes& successor_context) const;
  void install(MemberEpoch next, const std::optional<ReInitProposal>& reinit);
  MemberEpoch make_epoch(EpochPublicPtr pub, EpochSecrets secrets, LeafIndex own,
                         PathKeys keys) const;
  void keep_resumption_psk();
  std::pair<Group, CommitOutput> resume_into(Bytes group_id, std::vector<Extension> extensions,
                                             std::uint8_t usage, const KeyPackage& key_package,
                                             const KeyPackageSecrets& secrets,
                                             const std::vector<KeyPackage>& others,
                                             Drbg drbg) const;

  // A Group is copied for every retained epoch (DMLS): what its copies and later epochs share is
  // held once (the configuration, the signature key), what most groups never hold is boxed.
  // What handling a message touches comes first (config_ to state_'s secret tree: two cache
  // lines).
  std::shared_ptr<const GroupConfig> config_;
  Status status_ = Status::kActive;
  Boxed<PendingCommit> pending_;  // on the heap: a Group is copied for every retained epoch
  MemberEpoch state_;
  std::shared_ptr<const Bytes> signature_private_key_;
  Drbg drbg_;
  // Resumption PSKs of this epoch and earlier ones, newest first: a list whose nodes are shared by
  // copies and by the later epochs of this group (a retained epoch costs one node, not a copy of
  // them all). Only the first resumption_psks_kept + 1 count.
  struct ResumptionPsk {
    std::uint64_t epoch = 0;
    std::shared_ptr<const EpochSecrets> secrets;  // its resumption_psk (the epoch's, shared)
    std::uint32_t length = 1;                     // nodes in the list from this one on
    std::shared_ptr<const ResumptionPsk> earlier;
  };
  std::shared_ptr<const ResumptionPsk> resumption_psks_;
  struct Rare {
    PskStore psks;
    PskSources other_groups;  // resumption PSKs of the group this one resumes
    std::optional<ReInitProposal> reinit;
    std::vector<PastEpoch> past;               // oldest first; at most max_past_epochs
    std::vector<CachedProposal> proposals;     // this epoch's, in arrival order
    std::vector<HpkeKeyPair> own_update_keys;  // leaf keys of our Update proposals
    bool empty() const {
      return psks.empty() && other_groups.external.empty() && other_groups.resumption.empty() &&
             !reinit && past.empty() && proposals.empty() && own_update_keys.empty();
    }
  };
  Boxed<Rare> rare_;  // absent: all empty (dropped again when a new epoch leaves it empty)
  Rare& rare() { return rare_ ? *rare_ : rare_.emplace(Rare{}); }
  const std::vector<CachedProposal>& proposals() const;
  const std::vector<PastEpoch>& past() const;
};

}  // namespace dmlssim::models::mls
