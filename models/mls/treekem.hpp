// TreeKEM (RFC 9420 §7.4-7.6, §4.1.2): filtered direct paths, path-secret derivations, merging a
// received UpdatePath into the tree (with its parent hashes), and decrypting the path secret a
// member is entitled to.
#pragma once

#include <map>
#include <optional>

#include "models/mls/hpke.hpp"
#include "models/mls/path_keys.hpp"
#include "models/mls/ratchet_tree.hpp"

namespace dmlssim::models::mls {

// The direct path of `leaf` without the nodes whose copath child has an empty resolution.
std::vector<NodeIndex> filtered_direct_path(const RatchetTree& tree, LeafIndex leaf);

// path_secret[n+1] = DeriveSecret(path_secret[n], "path"); node key pair from
// DeriveSecret(path_secret, "node").
Bytes next_path_secret(const CryptoProvider& crypto, const Bytes& path_secret);
HpkeKeyPair node_key_pair(const CryptoProvider& crypto, const Bytes& path_secret);

// The resolution of `x` without the leaves of the members the commit adds (§12.4.2).
std::vector<NodeIndex> resolution_without(const RatchetTree& tree, NodeIndex x,
                                          const std::vector<LeafIndex>& joiners);

// Blanks the direct path of `sender`, sets the nodes of `filtered` (its filtered direct path) to
// `public_keys` and their parent hashes from the root down. Returns the parent hash the sender's
// leaf must carry (empty when the filtered path is).
Bytes set_path_keys(RatchetTree& tree, LeafIndex sender, const std::vector<NodeIndex>& filtered,
                    const std::vector<Bytes>& public_keys);

// Applies `path` from `sender`: its leaf replaced, its direct path blanked, the filtered direct
// path set to the path's keys with parent hashes computed from the root down. Returns false if the
// path's length does not match the filtered direct path or the leaf's parent_hash is not the one
// the path implies. `filtered` is the sender's filtered direct path in `tree`.
bool merge_update_path(RatchetTree& tree, LeafIndex sender, const UpdatePath& path,
                       const std::vector<NodeIndex>& filtered);

struct DecryptedPathSecret {
  NodeIndex node;  // the node of the sender's filtered path the secret belongs to
  Bytes path_secret;
};
// The path secret `receiver` can decrypt from `path`, given the key pairs it holds (by node; a pair
// whose public key is not the node's is ignored).
// `tree` is the tree before or after the merge (the copath is the same), `filtered` the sender's
// filtered direct path in it; `group_context` the provisional one (encoded).
// `joiners` are the leaves the commit adds: they hold no ciphertext.
// `resolutions`, when given, keeps the copath nodes' resolutions (without the joiners) for the
// next receivers of the same path in the same tree: it must be used with one tree and one set of
// joiners only.
using ResolutionMemo = std::map<NodeIndex, std::vector<NodeIndex>>;
std::optional<DecryptedPathSecret> decrypt_path_secret(
    const CryptoProvider& crypto, const RatchetTree& tree, const std::vector<NodeIndex>& filtered,
    LeafIndex receiver, const UpdatePath& path, const PathKeys& keys, const Bytes& group_context,
    const std::vector<LeafIndex>& joiners = {}, ResolutionMemo* resolutions = nullptr);

}  // namespace dmlssim::models::mls
