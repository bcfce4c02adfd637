// Derivations of the secret tree (RFC 9420 §9) and of sender-data protection (§6.3.2).
#pragma once

#include "models/mls/bytes.hpp"
#include "models/mls/crypto_provider.hpp"
#include "models/mls/tree_math.hpp"

namespace dmlssim::models::mls {

struct KeyAndNonce {
  Bytes key;    // Nk bytes
  Bytes nonce;  // Nn bytes
};

// The secret of `node` in the secret tree of a group of n_leaves (a power of two) rooted at the
// epoch's encryption_secret: left child "tree"/"left", right child "tree"/"right".
Bytes secret_tree_node(const CryptoProvider& crypto, const Bytes& encryption_secret,
                       std::uint32_t n_leaves, NodeIndex node);

// A leaf's handshake or application ratchet secret at generation 0.
Bytes handshake_ratchet_root(const CryptoProvider& crypto, const Bytes& leaf_secret);
Bytes application_ratchet_root(const CryptoProvider& crypto, const Bytes& leaf_secret);

// Key and nonce of a ratchet secret at `generation`, and the secret of the next generation.
KeyAndNonce ratchet_key_nonce(const CryptoProvider& crypto, const Bytes& ratchet_secret,
                              std::uint32_t generation);
Bytes ratchet_next(const CryptoProvider& crypto, const Bytes& ratchet_secret,
                   std::uint32_t generation);

// Sender-data key and nonce for a PrivateMessage ciphertext (its first Nh bytes are the sample).
KeyAndNonce sender_data_key_nonce(const CryptoProvider& crypto, const Bytes& sender_data_secret,
                                  const Bytes& ciphertext);

}  // namespace dmlssim::models::mls
