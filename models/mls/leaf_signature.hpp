// Signing and verifying a LeafNode (RFC 9420 §7.2): LeafNodeTBS carries the group ID and the leaf
// index for the update and commit sources, and neither for the key_package source.
#pragma once

#include <cstdint>

#include "models/mls/bytes.hpp"
#include "models/mls/crypto_provider.hpp"
#include "models/mls/wire_types.hpp"

namespace dmlssim::models::mls {

Bytes leaf_node_tbs(const LeafNode& leaf, const Bytes& group_id, std::uint32_t leaf_index);
void sign_leaf_node(const CryptoProvider& crypto, LeafNode& leaf,
                    const Bytes& signature_private_key, const Bytes& group_id = {},
                    std::uint32_t leaf_index = 0);
bool leaf_node_signature_valid(const CryptoProvider& crypto, const LeafNode& leaf,
                               const Bytes& group_id = {}, std::uint32_t leaf_index = 0);

}  // namespace dmlssim::models::mls
