// Group: creating commits (pending until merged) and processing received ones (RFC 9420 §12.4).
#include <algorithm>

#include "models/mls/epoch_cache.hpp"
#include "models/mls/extensions.hpp"
#include "models/mls/framing.hpp"
#include "models/mls/group.hpp"
#include "models/mls/labels.hpp"
#include "models/mls/path_builder.hpp"
#include "models/mls/primitives.hpp"
#include "models/mls/transcript.hpp"
#include "models/mls/treekem.hpp"
#include "models/mls/welcome_builder.hpp"

namespace dmlssim::models::mls {
namespace {

std::vector<LeafIndex> leaves_of(const std::vector<std::pair<LeafIndex, KeyPackage>>& joiners) {
  std::vector<LeafIndex> out;
  for (const auto& j : joiners)
    out.push_back(j.first);
  return out;
}

}  // namespace

std::vector<Group::CachedProposal> Group::committable_cached() const {
  // Our own Updates are superseded by the commit's path (§12.2); of the rest, keep each proposal
  // that the list so far still accepts.
  std::vector<CachedProposal> out;
  const Sender self{SenderType::kMember, state_.own};
  std::vector<ResolvedProposal> trial;
  for (const CachedProposal& c : proposals()) {
    if (c.proposal.proposal.type() == ProposalType::kUpdate && c.proposal.sender == self) continue;
    trial.push_back(c.proposal);
    try {
      apply_proposals(crypto(), *state_.pub, self, trial);
      out.push_back(c);
    } catch (const GroupError&) {
      trial.pop_back();
    }
  }
  return out;
}

Bytes Group::psk_secret_for(const std::vector<PreSharedKeyId>& ids) const {
  std::vector<EncodedPsk> inputs;
  for (const PreSharedKeyId& id : ids) {
    Bytes value;
    if (id.type == PreSharedKeyId::kExternal) {
      const PskStore& held = psks();
      const auto it = held.find(id.psk_id);
      std::optional<Bytes> found;
      if (it != held.end()) {
        found = it->second;
      } else if (config_->psk_lookup) {
        found = config_->psk_lookup(id.psk_id);
      }
      if (!found) throw GroupError(Rejection::kUnknownPsk, "external PSK not held");
      value = std::move(*found);
    } else {
      std::optional<Bytes> kept;
      if (id.psk_group_id == group_id()) {
        kept = resumption_psk(id.psk_epoch);
      } else if (rare_) {
        const auto& others = rare_->other_groups.resumption;
        if (const auto g = others.find(id.psk_group_id); g != others.end()) {
          if (const auto e = g->second.find(id.psk_epoch); e != g->second.end()) kept = e->second;
        }
      }
      if (!kept) throw GroupError(Rejection::kUnknownPsk, "resumption PSK not held");
      value = *kept;
    }
    inputs.push_back({encode_one(id), std::move(value)});
  }
  return psk_secret(crypto(), inputs);
}

CommitOutput Group::commit(const CommitOptions& options) {
  require_active();
  if (pending_) throw GroupError(Rejection::kCommitPending, "a commit is pending already");
  const EpochPublic& prev = *state_.pub;
  const Sender self{SenderType::kMember, state_.own};
  Commit body;
  std::vector<ResolvedProposal> resolved;
  if (options.include_cached) {
    for (const CachedProposal& c : committable_cached()) {
      body.proposals.push_back(ProposalOrRef{c.ref});
      resolved.push_back(c.proposal);
    }
  }
  for (const Proposal& p : options.by_value) {
    body.proposals.push_back(ProposalOrRef{p});
    resolved.push_back(ResolvedProposal{p, self, std::nullopt});
  }
  AppliedProposals applied = apply_proposals(crypto(), prev, self, resolved);
  const bool with_path = options.force_path || applied.path_required;
  RatchetTree& tree = applied.tree;
  BuiltPath path;
  Bytes tree_hash;
  if (with_path) {
    path = build_update_path(crypto(), drbg_, tree, state_.own, *tree.leaf(state_.own),
                             signature_private_key(), prev, applied.extensions,
                             leaves_of(applied.joiners));
    tree_hash = path.tree_hash;
    body.path = path.path;
  } else {
    tree_hash = tree.root_hash();
  }

  FramedContent content{group_id(), epoch(), self, options.authenticated_data, std::move(body)};
  const WireFormat wf = handshake_format();
  const Bytes signature =
      sign_framed_content(crypto(), wf, content, signature_private_key(), prev.context_bytes);
  const Bytes cth = next_confirmed_transcript_hash(prev, wf, content, signature);
  GroupContext next_context = prev.context;
  next_context.epoch += 1;
  next_context.tree_hash = tree_hash;
  next_context.confirmed_transcript_hash = cth;
  next_context.extensions = applied.extensions;
  const Bytes commit_secret = with_path ? path.commit_secret : Bytes(kHashLength, 0);
  const Bytes successor_context = next_context.encode();
  EpochSecrets secrets =
      derive_epoch_secrets(crypto(), successor_init_secret(commit_secret, successor_context),
                           commit_secret, psk_secret_for(applied.psks), successor_context);
  const Bytes tag = confirmation_tag(crypto(), secrets.confirmation_key, cth);
  EpochPublicPtr next = make_epoch_public(std::move(next_context), std::move(tree), tag);

  CommitOutput out;
  out.commit = frame(content, signature, tag);
  if (!applied.joiners.empty()) {
    GroupInfo info;
    info.group_context = next->context;
    if (options.ratchet_tree_in_welcome)
      info.extensions.push_back(ratchet_tree_extension(next->tree));
    info.confirmation_tag = tag;
    info.signer = state_.own;
    sign_group_info_with(crypto(), info, signature_private_key());
    std::vector<WelcomeRecipient> recipients;
    for (const auto& [leaf, kp] : applied.joiners) {
      recipients.push_back(
          {&kp, with_path ? joiner_path_secret(path, state_.own, leaf) : std::nullopt});
    }
    MlsMessage welcome;
    welcome.body = build_welcome(crypto(), drbg_, info, secrets.joiner_secret,
                                 secrets.welcome_secret, recipients, applied.psks);
    out.welcome = std::move(welcome);
  }

  if (options.group_info) {
    GroupInfo info;
    info.group_context = next->context;
    info.extensions.push_back(
        external_pub_extension(external_key_pair(crypto(), secrets).public_key));
    info.confirmation_tag = tag;
    info.signer = state_.own;
    sign_group_info_with(crypto(), info, signature_private_key());
    out.group_info = std::move(info);
  }

  PathKeys keys = with_path ? std::move(path.keys) : next->tree.keys_still_held(state_.path_keys);
  pending_.emplace(
      PendingCommit{encode_one(out.commit), {}, commit_secret, successor_context, applied.reinit});
  pending_->next = make_epoch(next, std::move(secrets), state_.own, std::move(keys));
  if (config_->cache) {
    // Every receiver computes this same transition; the committer's own result is shared.
    auto t = std::make_shared<CommitTransition>();
    t->next = next;
    t->committer = state_.own;
    t->has_path = with_path;
    if (with_path) t->filtered_path = path.nodes;
    t->provisional_context = provisional_context(prev, tree_hash, applied.extensions);
    t->joiners = applied.joiners;
    t->removed = applied.removed;
    t->updated = applied.updated;
    t->psks = applied.psks;
    t->reinit = applied.reinit;
    config_->cache->put(EpochCache::key(prev, cth), t);
    pending_->next.origin = t;
  }
  return out;
}

void Group::merge_pending_commit() {
  if (!pending_) throw GroupError(Rejection::kNotAllowed, "no commit is pending");
  PendingCommit p = std::move(*pending_);
  pending_.reset();
  if (state_.successor_init) state_.successor_init->taken(p.commit_secret, p.successor_context);
  install(std::move(p.next), p.reinit);
}

void Group::discard_pending_commit() {
  pending_.reset();
}

Bytes Group::successor_init_secret(const Bytes& commit_secret,
                                   const Bytes& successor_context) const {
  if (!state_.successor_init) return state_.secrets->init_secret;
  std::optional<Bytes> init = state_.successor_init->init_secret(commit_secret, successor_context);
  if (!init) {
    throw GroupError(Rejection::kSuccessorGivenUp,
                     "this epoch already derived the init secret of that successor");
  }
  return std::move(*init);
}

void Group::install(MemberEpoch next, const std::optional<ReInitProposal>& reinit) {
  if (config_->max_past_epochs > 0) {
    std::vector<PastEpoch>& past = rare().past;
    past.push_back(PastEpoch{epoch(), state_.pub, state_.secrets->sender_data_secret,
                             std::move(*state_.secret_tree)});
    while (past.size() > config_->max_past_epochs)
      past.erase(past.begin());
  }
  state_ = std::move(next);
  if (rare_) {
    rare_->proposals.clear();
    rare_->own_update_keys.clear();
    if (rare_->empty()) rare_.reset();
  }
  keep_resumption_psk();
  if (reinit) {
    status_ = Status::kFrozen;
    rare().reinit = reinit;
  }
}

std::vector<ResolvedProposal> Group::resolve(const Commit& commit, const Sender& committer) const {
  std::vector<ResolvedProposal> out;
  for (const ProposalOrRef& p : commit.proposals) {
    if (const auto* value = std::get_if<Proposal>(&p.value)) {
      out.push_back(ResolvedProposal{*value, committer, std::nullopt});
      continue;
    }
    out.push_back(cached_proposal(std::get<Bytes>(p.value)).proposal);
  }
  return out;
}

const Group::CachedProposal& Group::cached_proposal(const Bytes& ref) const {
  const std::vector<CachedProposal>& cached = proposals();
  const auto it = std::find_if(cached.begin(), cached.end(),
                               [&](const CachedProposal& c) { return c.ref == ref; });
  if (it == cached.end()) {
    throw GroupError(Rejection::kUnknownProposal, "a ProposalRef not in this epoch's cache");
  }
  return *it;
}

Received Group::handle_commit(const Verified& v, const MlsMessage&) {
  const Commit& commit = std::get<Commit>(v.content().content);
  const Sender& sender = v.content().sender;
  if (sender.type == SenderType::kMember && sender.index == state_.own) {
    throw GroupError(Rejection::kNotAllowed, "our own commit, not the pending one");
  }
  if (sender.type != SenderType::kMember && sender.type != SenderType::kNewMemberCommit) {
    throw GroupError(Rejection::kUnknownSender, "commit from a non-member");
  }
  if (sender.type == SenderType::kNewMemberCommit && v.wire_format != WireFormat::kPublicMessage) {
    throw GroupError(Rejection::kMalformed, "external commit not in a PublicMessage");
  }
  const EpochPublic& prev = *state_.pub;
  Bytes cth, cache_key;
  CommitTransitionPtr t;
  if (config_->cache) {
    const EpochCache::CommitDigests& digests =
        config_->cache->commit_digests(prev, v.tbs, v.signature);
    cth = digests.confirmed_transcript_hash;
    cache_key = digests.key;
    t = config_->cache->find(cache_key);
  } else {
    cth = confirmed_transcript_hash_from_tbs(prev, *v.tbs, v.signature);
  }
  // Every member must itself hold the proposals the commit names by reference, shared
  // transition or not; the proposals themselves are needed only to compute one.
  for (const ProposalOrRef& p : commit.proposals) {
    if (const auto* ref = std::get_if<Bytes>(&p.value)) cached_proposal(*ref);
  }
  if (!t) {
    const std::vector<ResolvedProposal> proposals = resolve(commit, sender);
    // Only a transition some member computed (or the committer made) vouches for the signature:
    // its key covers the signed content through the confirmed transcript hash.
    if (!framed_content_signature_valid(crypto(), *v.tbs, v.signature, v.signature_key)) {
      throw GroupError(Rejection::kBadSignature, "commit signature");
    }
    t = compute_transition(crypto(), prev, sender, proposals, commit.path, cth, v.confirmation_tag);
    if (config_->cache) config_->cache->put(cache_key, t);
  }
  Received r;
  r.type = ContentType::kCommit;
  r.sender = sender;
  r.epoch = v.content().epoch;
  if (std::find(t->removed.begin(), t->removed.end(), state_.own) != t->removed.end()) {
    pending_.reset();
    status_ = Status::kRemoved;
    r.removed = true;
    return r;
  }
  const RatchetTree& tree = t->next->tree;
  // The leaf key of our own committed Update, if any; the held keys are taken over only once the
  // commit is accepted (a refused one leaves the state as it was).
  const HpkeKeyPair* update_key = nullptr;
  if (rare_ && std::find(t->updated.begin(), t->updated.end(), state_.own) != t->updated.end()) {
    for (const HpkeKeyPair& key : rare_->own_update_keys) {
      if (key.public_key == tree.leaf(state_.own)->encryption_key) update_key = &key;
    }
  }
  PathKeys derived;  // keys of the path above the decrypted node
  Bytes commit_secret(kHashLength, 0);
  CommitTransition::Schedule& memo = t->schedule;  // the steps other members took
  if (t->has_path) {
    PathKeys with_update;
    if (update_key != nullptr) {
      with_update = state_.path_keys;
      with_update.set(leaf_node(state_.own), *update_key);
    }
    std::optional<DecryptedPathSecret> secret;
    try {
      secret = decrypt_path_secret(crypto(), tree, t->filtered_path, state_.own, *commit.path,
                                   update_key != nullptr ? with_update : state_.path_keys,
                                   t->provisional_context, leaves_of(t->joiners), &t->resolutions);
    } catch (const CryptoError& e) {
      throw GroupError(Rejection::kUndecryptable, std::string("path secret: ") + e.what());
    }
    if (!secret) throw GroupError(Rejection::kBadPath, "no path secret for this member");
    const std::vector<NodeIndex>& nodes = t->filtered_path;
    std::size_t i = std::find(nodes.begin(), nodes.end(), secret->node) - nodes.begin();
    Bytes ps = std::move(secret->path_secret);
    // The chain above the decrypted node is known when a member recorded the same secret there.
    const auto entry = memo.path_secret.find(nodes[i]);
    const bool chain_known = entry != memo.path_secret.end() && entry->second == ps;
    std::vector<std::pair<NodeIndex, Bytes>> chain;  // this member's, when not known
    // The first node's pair is derived and checked; the chain above it is then every
    // member's, so the pairs other members derived before are taken as they are.
    for (bool first = true; i < nodes.size(); ++i, first = false) {
      std::shared_ptr<const HpkeKeyPair>& shared = t->node_keys[nodes[i]];
      if (first || shared == nullptr) {
        const Bytes& at_node = chain_known ? memo.path_secret.at(nodes[i]) : ps;
        HpkeKeyPair key = node_key_pair(crypto(), at_node);
        if (key.public_key != tree.parent_node(nodes[i])->encryption_key) {
          throw GroupError(Rejection::kBadPath, "a path secret does not give the node's key");
        }
        if (shared == nullptr || shared->private_key != key.private_key)
          shared = std::make_shared<const HpkeKeyPair>(std::move(key));
      }
      derived.set_shared(nodes[i], shared);
      if (!chain_known) {
        Bytes next = next_path_secret(crypto(), ps);
        chain.emplace_back(nodes[i], std::move(ps));
        ps = std::move(next);
      }
    }
    if (chain_known) {
      commit_secret = memo.commit_secret;
    } else {
      commit_secret = std::move(ps);
      if (memo.commit_secret.empty()) memo.commit_secret = commit_secret;
      if (memo.commit_secret == commit_secret) {
        for (auto& [node, secret_at] : chain)
          memo.path_secret.emplace(node, std::move(secret_at));
      }
    }
  }
  Bytes init_secret;
  if (!t->external_init) {
    init_secret = successor_init_secret(commit_secret, t->next->context_bytes);
  } else {
    try {
      const HpkeKeyPair external = external_key_pair(crypto(), *state_.secrets);
      const HpkeContext ctx =
          hpke_setup_receiver(crypto(), HpkeInputs{}, *t->external_init, external.private_key);
      init_secret = ctx.export_secret(to_bytes("MLS 1.0 external init secret"), kHashLength);
    } catch (const CryptoError& e) {
      throw GroupError(Rejection::kUndecryptable, std::string("ExternalInit: ") + e.what());
    }
  }
  Bytes psk_secret = psk_secret_for(t->psks);
  const bool secrets_known = memo.secrets && memo.init_secret == init_secret &&
                             memo.secrets_commit_secret == commit_secret &&
                             memo.psk_secret == psk_secret;
  EpochSecrets secrets = secrets_known ? *memo.secrets
                                       : derive_epoch_secrets(crypto(), init_secret, commit_secret,
                                                              psk_secret, t->next->context_bytes);
  const Bytes tag = secrets_known ? memo.confirmation_tag
                                  : confirmation_tag(crypto(), secrets.confirmation_key, cth);
  if (!memo.secrets) {
    memo.init_secret = init_secret;
    memo.secrets_commit_secret = commit_secret;
    memo.psk_secret = std::move(psk_secret);
    memo.secrets = secrets;
    memo.confirmation_tag = tag;
  }
  if (tag != v.confirmation_tag) {
    throw GroupError(Rejection::kBadConfirmationTag, "confirmation tag does not match");
  }
  if (state_.successor_init && !t->external_init) {
    state_.successor_init->taken(commit_secret, t->next->context_bytes);
  }
  // Accepted: the keys still held move to the new epoch, the rest are dropped with the old state.
  // (Built from a copy of the old keys, not from the new ones: a copy shares its lower levels.)
  PathKeys keys = state_.path_keys;
  for (const auto& [node, key] : state_.path_keys) {
    if (!derived.contains(node) && !tree.still_holds(node, *key)) keys.erase(node);
  }
  for (const auto& [node, key] : derived)
    keys.set_shared(node, key);
  if (update_key != nullptr) keys.set(leaf_node(state_.own), *update_key);
  MemberEpoch next = make_epoch(t->next, std::move(secrets), state_.own, std::move(keys));
  next.origin = t;
  pending_.reset();  // a pending commit of ours lost the race
  r.reinit = t->reinit.has_value();
  install(std::move(next), t->reinit);
  return r;
}

}  // namespace dmlssim::models::mls
