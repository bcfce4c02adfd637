#include "models/mls/leaf_signature.hpp"

#include "models/mls/labels.hpp"
#include "models/mls/tls_writer.hpp"

namespace dmlssim::models::mls {

Bytes leaf_node_tbs(const LeafNode& leaf, const Bytes& group_id, std::uint32_t leaf_index) {
  TlsWriter tbs(512);  // without regrowing for a typical leaf
  leaf.encode_content(tbs);
  if (leaf.source == LeafNodeSource::kUpdate || leaf.source == LeafNodeSource::kCommit) {
    tbs.opaque(group_id).u32(leaf_index);
  }
  return tbs.bytes();
}

void sign_leaf_node(const CryptoProvider& crypto, LeafNode& leaf,
                    const Bytes& signature_private_key, const Bytes& group_id,
                    std::uint32_t leaf_index) {
  leaf.signature = sign_with_label(crypto, signature_private_key, "LeafNodeTBS",
                                   leaf_node_tbs(leaf, group_id, leaf_index));
}

bool leaf_node_signature_valid(const CryptoProvider& crypto, const LeafNode& leaf,
                               const Bytes& group_id, std::uint32_t leaf_index) {
  return verify_with_label(crypto, leaf.signature_key, "LeafNodeTBS",
                           leaf_node_tbs(leaf, group_id, leaf_index), leaf.signature);
}

}  // namespace dmlssim::models::mls
