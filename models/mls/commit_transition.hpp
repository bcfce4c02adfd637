// The public outcome of a commit (RFC 9420 §12.4.2), the same for every member that processes
// it: the proposals validated and applied, the UpdatePath merged, the new GroupContext and
// interim transcript hash. What remains per member (decrypting its path secret, the key schedule,
// checking the confirmation tag) happens in Group.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "models/mls/crypto_provider.hpp"
#include "models/mls/epoch_state.hpp"
#include "models/mls/proposal_list.hpp"
#include "models/mls/treekem.hpp"

namespace dmlssim::models::mls {

struct CommitTransition {
  EpochPublicPtr next;
  LeafIndex committer = 0;  // for an external commit, the joiner's new leaf
  bool has_path = false;
  std::vector<NodeIndex> filtered_path;  // the committer's filtered direct path, with a path
  Bytes provisional_context;             // encoded: the HPKE context of the path's ciphertexts
  std::vector<std::pair<LeafIndex, KeyPackage>> joiners;
  std::vector<LeafIndex> removed;
  std::vector<LeafIndex> updated;
  std::vector<PreSharedKeyId> psks;
  std::optional<ReInitProposal> reinit;
  std::optional<Bytes> external_init;
  // The key pairs of the path's nodes as members derive them (RFC 9420 §7.4: one path secret
  // chain for every member), kept by the first member that reaches each node so that the others
  // share it. Members processing one transition do so one at a time (one simulation thread).
  mutable std::map<NodeIndex, std::shared_ptr<const HpkeKeyPair>> node_keys;
  // The resolutions (in `next`'s tree, without the joiners) of the copath nodes members decrypted
  // their path secret under, kept by the first of them (decrypt_path_secret).
  mutable ResolutionMemo resolutions;
  // The key schedule's steps as members took them (RFC 9420 §8: one path-secret chain and so one
  // commit_secret, then one set of epoch secrets and one confirmation tag): a member reuses a step
  // only when its inputs equal the ones recorded, byte for byte, and takes every step itself
  // otherwise.
  struct Schedule {
    // The chain's path secrets by node, recorded only by members whose chain ends in
    // `commit_secret` (from the lowest node any of them decrypted up to the root).
    std::map<NodeIndex, Bytes> path_secret;
    Bytes commit_secret;  // empty until a member recorded the chain
    // The epoch secrets and the confirmation tag MAC(confirmation_key, confirmed transcript
    // hash) from these inputs (absent until a member derived them).
    Bytes init_secret, secrets_commit_secret, psk_secret;
    std::optional<EpochSecrets> secrets;
    Bytes confirmation_tag;
  };
  mutable Schedule schedule;
};

using CommitTransitionPtr = std::shared_ptr<const CommitTransition>;

// The confirmed transcript hash the commit leads to (computable before any validation).
Bytes next_confirmed_transcript_hash(const EpochPublic& prev, WireFormat wire_format,
                                     const FramedContent& content, const Bytes& signature);
// The same from the commit's FramedContentTBS (version, wire_format, content, GroupContext):
// ConfirmedTranscriptHashInput is its wire_format and content, then the signature.
Bytes confirmed_transcript_hash_from_tbs(const EpochPublic& prev, const Bytes& tbs,
                                         const Bytes& signature);

// Validates and applies. `path` is the commit's; the result's `next` carries the interim
// transcript hash over `confirmation_tag` (whose MAC each member still checks). Throws GroupError.
CommitTransitionPtr compute_transition(const CryptoProvider& crypto, const EpochPublic& prev,
                                       const Sender& committer,
                                       const std::vector<ResolvedProposal>& proposals,
                                       const std::optional<UpdatePath>& path,
                                       const Bytes& confirmed_transcript_hash,
                                       const Bytes& confirmation_tag);

// The provisional GroupContext of §12.4.2 (new epoch, tree hash and extensions; the old confirmed
// transcript hash), encoded.
Bytes provisional_context(const EpochPublic& prev, const Bytes& tree_hash,
                          const std::vector<Extension>& extensions);

}  // namespace dmlssim::models::mls
