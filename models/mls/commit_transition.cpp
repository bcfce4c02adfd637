#include "models/mls/commit_transition.hpp"

#include "models/mls/leaf_signature.hpp"
#include "models/mls/primitives.hpp"
#include "models/mls/rejection.hpp"
#include "models/mls/tls_writer.hpp"
#include "models/mls/transcript.hpp"
#include "models/mls/treekem.hpp"

namespace dmlssim::models::mls {

EpochPublicPtr make_epoch_public(GroupContext context, RatchetTree tree, Bytes confirmation_tag) {
  auto e = std::make_shared<EpochPublic>();
  e->context_bytes = context.encode();
  e->interim_transcript_hash =
      interim_transcript_hash(context.confirmed_transcript_hash, confirmation_tag);
  e->context = std::move(context);
  e->tree = std::move(tree);
  e->confirmation_tag = std::move(confirmation_tag);
  return e;
}

Bytes next_confirmed_transcript_hash(const EpochPublic& prev, WireFormat wire_format,
                                     const FramedContent& content, const Bytes& signature) {
  // ConfirmedTranscriptHashInput { wire_format; FramedContent content; opaque signature<V>; }
  TlsWriter input;
  input.u16(static_cast<std::uint16_t>(wire_format));
  content.encode(input);
  input.opaque(signature);
  return confirmed_transcript_hash(prev.interim_transcript_hash, input.bytes());
}

Bytes confirmed_transcript_hash_from_tbs(const EpochPublic& prev, const Bytes& tbs,
                                         const Bytes& signature) {
  // confirmed_transcript_hash(interim, input) without building the input: the TBS without its
  // leading version and trailing GroupContext, then the signature.
  const std::size_t end = tbs.size() - prev.context_bytes.size();
  TlsWriter signature_field;
  signature_field.opaque(signature);
  return sha256_of(
      {prev.interim_transcript_hash, ByteView(tbs.data() + 2, end - 2), signature_field.bytes()});
}

Bytes provisional_context(const EpochPublic& prev, const Bytes& tree_hash,
                          const std::vector<Extension>& extensions) {
  GroupContext c = prev.context;
  c.epoch += 1;
  c.tree_hash = tree_hash;
  c.extensions = extensions;
  return c.encode();
}

CommitTransitionPtr compute_transition(const CryptoProvider& crypto, const EpochPublic& prev,
                                       const Sender& committer,
                                       const std::vector<ResolvedProposal>& proposals,
                                       const std::optional<UpdatePath>& path,
                                       const Bytes& confirmed_transcript_hash,
                                       const Bytes& confirmation_tag) {
  AppliedProposals applied = apply_proposals(crypto, prev, committer, proposals);
  if (applied.path_required && !path) {
    throw GroupError(Rejection::kMissingPath, "the proposals require an UpdatePath");
  }
  auto t = std::make_shared<CommitTransition>();
  RatchetTree& tree = applied.tree;
  t->committer = committer.index;
  if (committer.type == SenderType::kNewMemberCommit) {
    if (!path) throw GroupError(Rejection::kMissingPath, "an external commit needs a path");
    // The joiner enters like an Add (§12.4.3.2); a resync Remove must be of its own identity.
    if (!applied.removed.empty()) {
      const LeafNode* old = prev.tree.leaf(applied.removed.front());
      if (old == nullptr || old->credential != path->leaf_node.credential) {
        throw GroupError(Rejection::kInvalidProposalList,
                         "an external commit removes a leaf of another identity");
      }
    }
    t->committer = tree.add_leaf(path->leaf_node);
  }
  if (path) {
    const LeafNode& leaf = path->leaf_node;
    if (leaf.source != LeafNodeSource::kCommit) {
      throw GroupError(Rejection::kBadPath, "path leaf source is not commit");
    }
    if (!leaf_node_signature_valid(crypto, leaf, prev.context.group_id, t->committer)) {
      throw GroupError(Rejection::kBadPath, "path leaf signature does not verify");
    }
    t->filtered_path = filtered_direct_path(tree, t->committer);
    if (!merge_update_path(tree, t->committer, *path, t->filtered_path)) {
      throw GroupError(Rejection::kBadPath, "UpdatePath does not fit the tree or parent hash");
    }
    check_leaf_fits(tree, leaf, t->committer, applied.extensions, Rejection::kBadPath,
                    committer.type == SenderType::kMember ? prev.tree.leaf(t->committer) : nullptr);
    // Every joiner must be able to decrypt: the copath resolutions minus joiners match the
    // ciphertext counts (checked by each receiver in decrypt_path_secret).
    t->has_path = true;
  }
  const Bytes tree_hash = tree.root_hash();
  t->provisional_context = provisional_context(prev, tree_hash, applied.extensions);
  GroupContext next = prev.context;
  next.epoch += 1;
  next.tree_hash = tree_hash;
  next.confirmed_transcript_hash = confirmed_transcript_hash;
  next.extensions = applied.extensions;
  t->next = make_epoch_public(std::move(next), std::move(tree), confirmation_tag);
  t->joiners = std::move(applied.joiners);
  t->removed = std::move(applied.removed);
  t->updated = std::move(applied.updated);
  t->psks = std::move(applied.psks);
  t->reinit = std::move(applied.reinit);
  t->external_init = std::move(applied.external_init);
  return t;
}

}  // namespace dmlssim::models::mls
