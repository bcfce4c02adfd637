#include "models/mls/secret_tree.hpp"

#include "models/mls/labels.hpp"
#include "models/mls/primitives.hpp"

namespace dmlssim::models::mls {

Bytes secret_tree_node(const CryptoProvider& crypto, const Bytes& encryption_secret,
                       std::uint32_t n_leaves, NodeIndex node) {
  // Walk down from the root towards `node`, deriving each child's secret.
  Bytes secret = encryption_secret;
  NodeIndex at = root(n_leaves);
  while (at != node) {
    const bool go_left = node < at;
    at = go_left ? left(at) : right(at);
    secret = expand_with_label(crypto, secret, "tree", to_bytes(go_left ? "left" : "right"),
                               kHashLength);
  }
  return secret;
}

Bytes handshake_ratchet_root(const CryptoProvider& crypto, const Bytes& leaf_secret) {
  return expand_with_label(crypto, leaf_secret, "handshake", {}, kHashLength);
}

Bytes application_ratchet_root(const CryptoProvider& crypto, const Bytes& leaf_secret) {
  return expand_with_label(crypto, leaf_secret, "application", {}, kHashLength);
}

KeyAndNonce ratchet_key_nonce(const CryptoProvider& crypto, const Bytes& secret,
                              std::uint32_t generation) {
  return {derive_tree_secret(crypto, secret, "key", generation, kAeadKeyLength),
          derive_tree_secret(crypto, secret, "nonce", generation, kAeadNonceLength)};
}

Bytes ratchet_next(const CryptoProvider& crypto, const Bytes& secret, std::uint32_t generation) {
  return derive_tree_secret(crypto, secret, "secret", generation, kHashLength);
}

KeyAndNonce sender_data_key_nonce(const CryptoProvider& crypto, const Bytes& sender_data_secret,
                                  const Bytes& ciphertext) {
  const Bytes sample(ciphertext.begin(), ciphertext.begin() + static_cast<long>(std::min(
                                                                  ciphertext.size(), kHashLength)));
  return {expand_with_label(crypto, sender_data_secret, "key", sample, kAeadKeyLength),
          expand_with_label(crypto, sender_data_secret, "nonce", sample, kAeadNonceLength)};
}

}  // namespace dmlssim::models::mls
