// Group: construction, framing and verification of messages, proposals, application data.
// Commits are in group_commit.cpp, joining in group_join.cpp.
#include "models/mls/group.hpp"

#include <algorithm>

#include "models/mls/epoch_cache.hpp"
#include "models/mls/extensions.hpp"
#include "models/mls/framing.hpp"
#include "models/mls/leaf_signature.hpp"
#include "models/mls/primitives.hpp"
#include "models/mls/tls_writer.hpp"
#include "models/mls/transcript.hpp"
#include "models/mls/treekem.hpp"

namespace dmlssim::models::mls {

namespace {

Rejection rejection_of(ProtectionError e) {
  switch (e) {
    case ProtectionError::kBadSignature:
      return Rejection::kBadSignature;
    case ProtectionError::kBadMembershipTag:
      return Rejection::kBadMembershipTag;
    case ProtectionError::kUndecryptableSenderData:
    case ProtectionError::kUndecryptableContent:
      return Rejection::kUndecryptable;
    case ProtectionError::kWrongSender:
      return Rejection::kUnknownSender;
    case ProtectionError::kMalformed:
    case ProtectionError::kNone:
      break;
  }
  return Rejection::kMalformed;
}

Rejection rejection_of(KeyError e) {
  switch (e) {
    case KeyError::kConsumed:
      return Rejection::kKeyConsumed;
    case KeyError::kTooOld:
      return Rejection::kKeyTooOld;
    case KeyError::kTooFarAhead:
      return Rejection::kKeyTooFarAhead;
    case KeyError::kNoSuchLeaf:
    case KeyError::kNone:
      break;
  }
  return Rejection::kUnknownSender;
}

const Bytes& member_signature_key(const EpochPublic& epoch, LeafIndex leaf) {
  const LeafNode* node = leaf < epoch.tree.leaf_count() ? epoch.tree.leaf(leaf) : nullptr;
  if (node == nullptr) throw GroupError(Rejection::kUnknownSender, "sender leaf is blank");
  return node->signature_key;
}

}  // namespace

Group::Group(GroupConfig config, Drbg drbg)
    : Group(std::make_shared<const GroupConfig>(std::move(config)), std::move(drbg)) {}

Group::Group(std::shared_ptr<const GroupConfig> config, Drbg drbg)
    : config_(std::move(config)), drbg_(std::move(drbg)) {}

const PskStore& Group::psks() const {
  static const PskStore kNone;
  return rare_ ? rare_->psks : kNone;
}

const std::vector<Group::CachedProposal>& Group::proposals() const {
  static const std::vector<CachedProposal> kNone;
  return rare_ ? rare_->proposals : kNone;
}

const std::vector<Group::PastEpoch>& Group::past() const {
  static const std::vector<PastEpoch> kNone;
  return rare_ ? rare_->past : kNone;
}

const std::optional<ReInitProposal>& Group::reinit() const {
  static const std::optional<ReInitProposal> kNone;
  return rare_ ? rare_->reinit : kNone;
}

void Group::set_psk_lookup(PskLookup lookup) {
  auto config = std::make_shared<GroupConfig>(*config_);
  config->psk_lookup = std::move(lookup);
  config_ = std::move(config);
}

Group::MemberEpoch Group::make_epoch(EpochPublicPtr pub, EpochSecrets secrets, LeafIndex own,
                                     PathKeys keys) const {
  MemberEpoch e;
  const std::uint32_t leaves = pub->tree.leaf_count();
  e.secret_tree.emplace(
      crypto(), secrets.encryption_secret, leaves, config_->limits,
      config_->cache ? config_->cache->secret_tree(crypto(), secrets.encryption_secret, leaves)
                     : nullptr);
  e.pub = std::move(pub);
  e.secrets = config_->cache ? config_->cache->shared_secrets(std::move(secrets))
                             : std::make_shared<const EpochSecrets>(std::move(secrets));
  e.own = own;
  e.path_keys = std::move(keys);
  if (config_->successor_init) e.successor_init = config_->successor_init(crypto(), *e.secrets);
  return e;
}

Group Group::create(GroupConfig config, Bytes group_id, const KeyPackage& key_package,
                    const KeyPackageSecrets& secrets, std::vector<Extension> extensions,
                    Drbg drbg) {
  Group g(std::move(config), std::move(drbg));
  RatchetTree tree;
  tree.add_leaf(key_package.leaf_node);
  if (!leaf_supports(key_package.leaf_node, extensions)) {
    throw GroupError(Rejection::kNotAllowed, "the creator's leaf does not support the extensions");
  }
  GroupContext context;
  context.group_id = std::move(group_id);
  context.tree_hash = tree.root_hash();
  context.extensions = std::move(extensions);
  // §11: random init_secret, zero commit_secret, no PSK; the interim transcript hash follows from
  // a confirmation tag over the empty confirmed transcript hash.
  const Bytes zero(kHashLength, 0);
  const Bytes context_bytes = context.encode();
  EpochSecrets s =
      derive_epoch_secrets(g.crypto(), g.drbg_.bytes(kHashLength), zero, zero, context_bytes);
  Bytes tag = confirmation_tag(g.crypto(), s.confirmation_key, {});
  PathKeys keys;
  keys.set(leaf_node(0), {secrets.encryption_private_key, key_package.leaf_node.encryption_key});
  g.state_ = g.make_epoch(make_epoch_public(std::move(context), std::move(tree), std::move(tag)),
                          std::move(s), 0, std::move(keys));
  g.set_signature_private_key(secrets.signature_private_key);
  g.keep_resumption_psk();
  return g;
}

Group Group::restore(GroupConfig config, const BootstrappedGroup& group, LeafIndex leaf,
                     Drbg drbg) {
  return restore(std::make_shared<const GroupConfig>(std::move(config)), group, leaf,
                 std::move(drbg));
}

Group Group::restore(std::shared_ptr<const GroupConfig> config, const BootstrappedGroup& group,
                     LeafIndex leaf, Drbg drbg) {
  Group g(std::move(config), std::move(drbg));
  g.state_ = g.make_epoch(group.epoch, group.secrets, leaf, group.keys_of(leaf));
  g.set_signature_private_key(group.members.at(leaf).signature_private_key);
  g.keep_resumption_psk();
  return g;
}

std::uint32_t Group::member_count() const {
  return state_.pub->tree.member_count();
}

void Group::require_active() const {
  if (status_ == Status::kRemoved) {
    throw GroupError(Rejection::kRemovedFromGroup, "this member was removed");
  }
  if (status_ == Status::kFrozen) {
    throw GroupError(Rejection::kGroupFrozen, "a ReInit was committed");
  }
}

WireFormat Group::handshake_format() const {
  return config_->private_handshake ? WireFormat::kPrivateMessage : WireFormat::kPublicMessage;
}

MlsMessage Group::frame(const FramedContent& content, const Bytes& signature,
                        const Bytes& confirmation_tag) {
  const bool application = content.content_type() == ContentType::kApplication;
  MlsMessage out;
  if (!application && !config_->private_handshake) {
    out.body = seal_public(crypto(), content, signature, state_.secrets->membership_key,
                           state_.pub->context_bytes, confirmation_tag);
    return out;
  }
  const RatchetType type = application ? RatchetType::kApplication : RatchetType::kHandshake;
  const SecretTreeState::Next key = state_.secret_tree->next(state_.own, type);
  SenderData sender{state_.own, key.generation, {}};
  const Bytes guard = drbg_.bytes(4);
  std::copy_n(guard.begin(), sender.reuse_guard.size(), sender.reuse_guard.begin());
  out.body = seal_private(crypto(), content, signature, state_.secrets->sender_data_secret, key.key,
                          sender, config_->padding, confirmation_tag);
  return out;
}

MlsMessage Group::propose(const Proposal& proposal, const Bytes& authenticated_data) {
  require_active();
  if (pending_) throw GroupError(Rejection::kCommitPending, "a commit is pending");
  FramedContent content{group_id(), epoch(), Sender{SenderType::kMember, state_.own},
                        authenticated_data, proposal};
  const WireFormat wf = handshake_format();
  Bytes signature = sign_framed_content(crypto(), wf, content, signature_private_key(),
                                        state_.pub->context_bytes);
  Bytes ref = proposal_ref(wf, content, signature);
  MlsMessage message = frame(content, signature, {});
  rare().proposals.push_back({ref, ResolvedProposal{proposal, content.sender, ref}});
  return message;
}

MlsMessage Group::propose_update() {
  require_active();
  const HpkeKeyPair key = crypto().derive_key_pair(drbg_.bytes(kHashLength));
  LeafNode leaf = *state_.pub->tree.leaf(state_.own);
  leaf.encryption_key = key.public_key;
  leaf.source = LeafNodeSource::kUpdate;
  leaf.lifetime = {};
  leaf.parent_hash.clear();
  sign_leaf_node(crypto(), leaf, signature_private_key(), group_id(), state_.own);
  MlsMessage message = propose(Proposal{UpdateProposal{leaf}});
  rare().own_update_keys.push_back(key);
  return message;
}

MlsMessage Group::protect(const Bytes& application_data, const Bytes& authenticated_data) {
  require_active();
  if (config_->commit_before_send && !proposals().empty()) {
    throw GroupError(Rejection::kProposalsPending, "commit the cached proposals first");
  }
  FramedContent content{group_id(), epoch(), Sender{SenderType::kMember, state_.own},
                        authenticated_data, application_data};
  const Bytes signature = sign_framed_content(crypto(), WireFormat::kPrivateMessage, content,
                                              signature_private_key(), state_.pub->context_bytes);
  return frame(content, signature, {});
}

Group::Verified Group::verify(const MlsMessage& message, MessageOwner owner) {
  Verified v;
  if (const auto* pub = std::get_if<PublicMessage>(&message.body)) {
    const FramedContent& c = pub->content;
    if (c.group_id != group_id()) throw GroupError(Rejection::kWrongGroup, "group_id differs");
    if (c.content_type() == ContentType::kApplication) {
      throw GroupError(Rejection::kApplicationNotPrivate, "application data in a PublicMessage");
    }
    if (c.epoch != epoch()) throw GroupError(Rejection::kWrongEpoch, "not the current epoch");
    const EpochPublic& e = *state_.pub;
    Bytes key;
    switch (c.sender.type) {
      case SenderType::kMember:
        key = member_signature_key(e, c.sender.index);
        break;
      case SenderType::kExternal: {
        const auto senders = external_senders_from(e.context.extensions);
        if (c.content_type() != ContentType::kProposal || c.sender.index >= senders.size()) {
          throw GroupError(Rejection::kUnknownSender, "no such external sender");
        }
        key = senders[c.sender.index].signature_key;
        break;
      }
      case SenderType::kNewMemberProposal: {
        const Proposal* p = std::get_if<Proposal>(&c.content);
        if (p == nullptr || p->type() != ProposalType::kAdd) {
          throw GroupError(Rejection::kUnknownSender, "a new member may only propose its Add");
        }
        key = std::get<AddProposal>(p->body).key_package.leaf_node.signature_key;
        break;
      }
      case SenderType::kNewMemberCommit: {
        const Commit* commit = std::get_if<Commit>(&c.content);
        if (commit == nullptr) throw GroupError(Rejection::kUnknownSender, "not a commit");
        if (!commit->path) throw GroupError(Rejection::kMissingPath, "external commit: no path");
        key = commit->path->leaf_node.signature_key;
        break;
      }
    }
    // A commit's signature is checked in check_commit_signature (a shared transition may vouch).
    const bool commit = c.content_type() == ContentType::kCommit;
    const Bytes no_key;
    const Bytes& signature_key = commit ? no_key : key;
    const Bytes& membership_key = state_.secrets->membership_key;
    ProtectionError err;
    // Every member of the epoch verifies the same message: the first one's verdict is shared.
    const EpochCache::VerifiedPublic* seen =
        config_->cache
            ? config_->cache->find_verified(membership_key, e.context_bytes, signature_key, *pub)
            : nullptr;
    if (seen != nullptr) {
      err = seen->error;
      if (commit) v.tbs = seen->tbs;
    } else {
      Bytes tbs;
      err = verify_public(crypto(), *pub, signature_key, membership_key, e.context_bytes,
                          commit ? &tbs : nullptr);
      if (commit) v.tbs = std::make_shared<const Bytes>(std::move(tbs));
      if (config_->cache)
        config_->cache->put_verified(membership_key, e.context_bytes, signature_key, *pub,
                                     owner.share(), {err, v.tbs});
    }
    if (err != ProtectionError::kNone) throw GroupError(rejection_of(err), to_string(err));
    if (c.content_type() == ContentType::kCommit && pub->confirmation_tag.size() != kHashLength) {
      throw GroupError(Rejection::kMalformed, "confirmation tag of the wrong length");
    }
    v.wire_format = WireFormat::kPublicMessage;
    v.borrowed = &c;
    v.signature = pub->signature;
    v.confirmation_tag = pub->confirmation_tag;
    v.signature_key = std::move(key);
    return v;
  }
  const auto* priv = std::get_if<PrivateMessage>(&message.body);
  if (priv == nullptr) throw GroupError(Rejection::kMalformed, "not a framed message");
  if (priv->group_id != group_id()) throw GroupError(Rejection::kWrongGroup, "group_id differs");
  // The current epoch, or (application data only) a kept past one.
  const EpochPublic* e = nullptr;
  const Bytes* sender_data_secret = nullptr;
  SecretTreeState* tree = nullptr;
  if (priv->epoch == epoch()) {
    e = state_.pub.get();
    sender_data_secret = &state_.secrets->sender_data_secret;
    tree = &*state_.secret_tree;
  } else if (priv->content_type == ContentType::kApplication && rare_) {
    for (PastEpoch& p : rare_->past) {
      if (p.epoch != priv->epoch) continue;
      e = p.pub.get();
      sender_data_secret = &p.sender_data_secret;
      tree = &p.secret_tree;
    }
  }
  if (e == nullptr) throw GroupError(Rejection::kWrongEpoch, "epoch not held");
  if (config_->cache && priv->content_type == ContentType::kApplication) {
    return verify_shared_application(*priv, *e, *sender_data_secret, *tree, owner);
  }
  OpenedPrivateMessage opened = open_sender_data(crypto(), *priv, *sender_data_secret);
  if (opened.error != ProtectionError::kNone) {
    throw GroupError(rejection_of(opened.error), to_string(opened.error));
  }
  const LeafIndex sender = opened.sender.leaf_index;
  const Bytes& key = member_signature_key(*e, sender);
  const RatchetType type = priv->content_type == ContentType::kApplication
                               ? RatchetType::kApplication
                               : RatchetType::kHandshake;
  const SecretTreeState::Taken taken = tree->take(sender, type, opened.sender.generation);
  if (taken.error != KeyError::kNone) {
    throw GroupError(rejection_of(taken.error), to_string(taken.error));
  }
  const bool commit = priv->content_type == ContentType::kCommit;
  open_private_content(crypto(), *priv, taken.key, commit ? Bytes{} : key, e->context_bytes,
                       opened);
  if (opened.error != ProtectionError::kNone) {
    throw GroupError(rejection_of(opened.error), to_string(opened.error));
  }
  if (priv->content_type == ContentType::kCommit && opened.confirmation_tag.size() != kHashLength) {
    throw GroupError(Rejection::kMalformed, "confirmation tag of the wrong length");
  }
  v.wire_format = WireFormat::kPrivateMessage;
  v.signature_key = key;
  if (commit)
    v.tbs = std::make_shared<const Bytes>(
        framed_content_tbs(WireFormat::kPrivateMessage, opened.content, e->context_bytes));
  v.owned = std::move(opened.content);
  v.signature = std::move(opened.signature);
  v.confirmation_tag = std::move(opened.confirmation_tag);
  return v;
}

Group::Verified Group::verify_shared_application(const PrivateMessage& priv, const EpochPublic& e,
                                                 const Bytes& sender_data_secret,
                                                 SecretTreeState& tree, MessageOwner owner) {
  // The first member of the epoch opens the message; each member (the first included) uses up
  // its own ratchet key, with the checks in the unshared order: sender data, sender, key, content.
  std::shared_ptr<const EpochCache::OpenedApplication> shared =
      config_->cache->find_opened(sender_data_secret, priv);
  std::shared_ptr<EpochCache::OpenedApplication> fresh;
  if (!shared) {
    fresh = std::make_shared<EpochCache::OpenedApplication>();
    fresh->opened = open_sender_data(crypto(), priv, sender_data_secret);
    fresh->sender_error = fresh->opened.error;
    if (fresh->sender_error != ProtectionError::kNone)
      config_->cache->put_opened(sender_data_secret, priv, owner.share(), fresh);
  }
  const EpochCache::OpenedApplication& entry = shared ? *shared : *fresh;
  if (entry.sender_error != ProtectionError::kNone) {
    throw GroupError(rejection_of(entry.sender_error), to_string(entry.sender_error));
  }
  const LeafIndex sender = entry.opened.sender.leaf_index;
  const Bytes& signature_key = member_signature_key(e, sender);
  const std::uint32_t generation = entry.opened.sender.generation;
  // Only the first member needs the key itself; the others use theirs up.
  SecretTreeState::Taken taken;
  if (fresh) {
    taken = tree.take(sender, RatchetType::kApplication, generation);
  } else {
    taken.error = tree.use(sender, RatchetType::kApplication, generation);
  }
  if (taken.error != KeyError::kNone) {
    throw GroupError(rejection_of(taken.error), to_string(taken.error));
  }
  if (fresh) {
    open_private_content(crypto(), priv, taken.key, signature_key, e.context_bytes, fresh->opened);
    fresh->content_error = fresh->opened.error;
    config_->cache->put_opened(sender_data_secret, priv, owner.share(), fresh);
  }
  if (entry.content_error != ProtectionError::kNone) {
    throw GroupError(rejection_of(entry.content_error), to_string(entry.content_error));
  }
  Verified v;
  v.wire_format = WireFormat::kPrivateMessage;
  v.signature_key = signature_key;
  v.borrowed = &entry.opened.content;
  v.keep = shared ? std::shared_ptr<const void>(shared) : std::shared_ptr<const void>(fresh);
  return v;
}

Received Group::handle(const MlsMessage& message, MessageOwner owner) {
  if (status_ == Status::kRemoved) {
    throw GroupError(Rejection::kRemovedFromGroup, "this member was removed");
  }
  if (message.wire_format() != WireFormat::kPublicMessage &&
      message.wire_format() != WireFormat::kPrivateMessage) {
    throw GroupError(Rejection::kMalformed, "not a PublicMessage or PrivateMessage");
  }
  if (pending_ && encode_one(message) == pending_->encoded) {
    Received r;
    r.type = ContentType::kCommit;
    r.sender = Sender{SenderType::kMember, state_.own};
    r.epoch = epoch();
    r.own_commit = true;
    r.reinit = pending_->reinit.has_value();
    merge_pending_commit();
    return r;
  }
  const Verified v = verify(message, owner);
  switch (v.content().content_type()) {
    case ContentType::kApplication: {
      Received r;
      r.type = ContentType::kApplication;
      r.sender = v.content().sender;
      r.epoch = v.content().epoch;
      const Bytes& data = std::get<Bytes>(v.content().content);
      // (v.keep holds what v.content() is borrowed from, when it is the epoch cache's.)
      r.application_data = v.keep ? std::shared_ptr<const Bytes>(v.keep, &data)
                                  : std::make_shared<const Bytes>(data);
      return r;
    }
    case ContentType::kProposal:
      if (status_ == Status::kFrozen) throw GroupError(Rejection::kGroupFrozen, "group frozen");
      return handle_proposal(v);
    case ContentType::kCommit:
      if (status_ == Status::kFrozen) throw GroupError(Rejection::kGroupFrozen, "group frozen");
      return handle_commit(v, message);
  }
  throw GroupError(Rejection::kMalformed, "unknown content type");
}

Received Group::handle_proposal(const Verified& v) {
  const Proposal& p = std::get<Proposal>(v.content().content);
  if (p.type() == ProposalType::kExternalInit) {
    throw GroupError(Rejection::kInvalidProposal, "ExternalInit outside an external commit");
  }
  if (p.type() == ProposalType::kUpdate && v.content().sender.type != SenderType::kMember) {
    throw GroupError(Rejection::kInvalidProposal, "Update from a non-member");
  }
  Bytes ref = proposal_ref(v.wire_format, v.content(), v.signature);
  Received r;
  r.type = ContentType::kProposal;
  r.sender = v.content().sender;
  r.epoch = v.content().epoch;
  r.proposal_ref = ref;
  for (const CachedProposal& c : proposals()) {
    if (c.ref == ref) return r;  // a duplicate delivery
  }
  rare().proposals.push_back({ref, ResolvedProposal{p, v.content().sender, ref}});
  return r;
}

Bytes Group::export_secret(const std::string& label, const Bytes& context,
                           std::uint16_t length) const {
  return mls_export(crypto(), state_.secrets->exporter_secret, label, context, length);
}

std::optional<Bytes> Group::resumption_psk(std::uint64_t e) const {
  std::uint32_t seen = 0;
  for (const ResumptionPsk* p = resumption_psks_.get();
       p != nullptr && seen <= config_->resumption_psks_kept; p = p->earlier.get(), ++seen) {
    if (p->epoch == e) return p->secrets->resumption_psk;
  }
  return std::nullopt;
}

void Group::keep_resumption_psk() {
  // Epochs only go up, so the newest resumption_psks_kept + 1 nodes are the ones kept. The list
  // is cut by copying those when it grows to twice that (older nodes go with the last epoch that
  // still reads them): amortised O(1) a commit, at most ~3x the kept nodes held per group.
  const std::uint32_t kept = config_->resumption_psks_kept + 1;
  std::shared_ptr<const ResumptionPsk> earlier = resumption_psks_;
  if (earlier && earlier->length + 1 > 2 * kept) {
    std::vector<const ResumptionPsk*> newest;
    for (const ResumptionPsk* p = earlier.get(); p != nullptr && newest.size() + 1 < kept;
         p = p->earlier.get())
      newest.push_back(p);
    earlier = nullptr;
    for (auto it = newest.rbegin(); it != newest.rend(); ++it) {
      earlier = std::make_shared<const ResumptionPsk>(
          ResumptionPsk{(*it)->epoch, (*it)->secrets, earlier ? earlier->length + 1 : 1, earlier});
    }
  }
  const std::uint32_t length = earlier ? earlier->length + 1 : 1;
  resumption_psks_ = std::make_shared<const ResumptionPsk>(
      ResumptionPsk{epoch(), state_.secrets, length, std::move(earlier)});
}

void Group::settle() {
  if (state_.secret_tree) state_.secret_tree->settle();
}

Group::HeldBytes Group::held_bytes() const {
  HeldBytes b;
  b.tree_private_keys = state_.path_keys.size() * kX25519Length;
  b.successor_init = state_.successor_init ? state_.successor_init->secret_bytes()
                                           : state_.secrets->init_secret.size();
  b.message_keys = (1 + state_.secret_tree->secrets_held()) * kHashLength;
  for (const PastEpoch& p : past())
    b.message_keys += (1 + p.secret_tree.secrets_held()) * kHashLength;
  return b;
}

std::size_t Group::secrets_held() const {
  std::size_t n = state_.path_keys.size() + state_.secret_tree->secrets_held();
  for (const PastEpoch& p : past())
    n += 1 + p.secret_tree.secrets_held();
  return n;
}

}  // namespace dmlssim::models::mls
