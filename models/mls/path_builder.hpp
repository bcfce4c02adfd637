// Building a committer's UpdatePath (RFC 9420 §7.4-7.6, §12.4.1): fresh leaf key, path secrets
// up the filtered direct path, parent hashes, the signed commit-source LeafNode, and the path
// secrets encrypted to each copath resolution (without the commit's joiners) under the
// provisional GroupContext.
#pragma once

#include <map>
#include <optional>
#include <vector>

#include "models/mls/crypto_provider.hpp"
#include "models/mls/drbg.hpp"
#include "models/mls/epoch_state.hpp"
#include "models/mls/hpke.hpp"
#include "models/mls/path_keys.hpp"
#include "models/mls/wire_types.hpp"

namespace dmlssim::models::mls {

struct BuiltPath {
  UpdatePath path;
  PathKeys keys;                 // the new leaf key and one per filtered path node
  std::vector<NodeIndex> nodes;  // the filtered direct path
  std::vector<Bytes> secrets;    // the path secret of each of those nodes
  Bytes commit_secret;
  Bytes tree_hash;  // of `tree` after the path
};

// Applies the path to `tree` (after the commit's proposals); `leaf_template` gives the credential,
// capabilities and extensions of the new leaf.
BuiltPath build_update_path(const CryptoProvider& crypto, Drbg& drbg, RatchetTree& tree,
                            LeafIndex leaf, LeafNode leaf_template,
                            const Bytes& signature_private_key, const EpochPublic& prev,
                            const std::vector<Extension>& extensions,
                            const std::vector<LeafIndex>& joiners);

// The path secret a joiner receives in its GroupSecrets: that of the lowest common ancestor of
// the committer and the joiner.
std::optional<Bytes> joiner_path_secret(const BuiltPath& built, LeafIndex committer,
                                        LeafIndex joiner);

}  // namespace dmlssim::models::mls
