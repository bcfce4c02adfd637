// The asymmetric operations of cipher suite 1 behind one interface, so that the same group state
// machine runs on real cryptography or on cheap stand-ins at simulation scale.
//
// `real` is X25519, Ed25519 and HPKE (RFC 9180) on OpenSSL. `fast` replaces them with SHA-256
// constructions whose keys, shared secrets, encapsulations, ciphertexts and signatures have the
// real sizes (32, 32, 32, plaintext + 16, 64 bytes), so every message is byte-for-byte as long as
// with `real`. The fast stand-ins give no security: anyone holding a public key can compute the
// shared secrets, decrypt, and sign for its owner. Symmetric primitives (hash, HKDF, AEAD) stay
// real in both.
#pragma once

#include <string_view>
#include <utility>

#include "models/mls/bytes.hpp"

namespace dmlssim::models::mls {

struct HpkeKeyPair {
  Bytes private_key;
  Bytes public_key;
};

class CryptoProvider {
 public:
  virtual ~CryptoProvider() = default;
  virtual std::string_view name() const = 0;

  // The KEM's Diffie-Hellman group (X25519): public key of a 32-byte private key, shared secret.
  virtual Bytes dh_public_key(const Bytes& private_key) const = 0;
  virtual Bytes dh(const Bytes& private_key, const Bytes& peer_public_key) const = 0;

  // The signature scheme (Ed25519): public key of a 32-byte private key, 64-byte signatures.
  virtual Bytes signature_public_key(const Bytes& private_key) const = 0;
  virtual Bytes sign(const Bytes& private_key, const Bytes& message) const = 0;
  virtual bool verify(const Bytes& public_key, const Bytes& message,
                      const Bytes& signature) const = 0;

  // The KEM and HPKE as MLS uses them (RFC 9180 DeriveKeyPair, SealBase, OpenBase). The sender's
  // ephemeral key comes from `ephemeral_seed` (32 random bytes). Open throws CryptoError.
  virtual HpkeKeyPair derive_key_pair(const Bytes& ikm) const = 0;
  virtual std::pair<Bytes, Bytes> seal_base(const Bytes& public_key, const Bytes& info,
                                            const Bytes& aad, const Bytes& plaintext,
                                            const Bytes& ephemeral_seed) const = 0;
  virtual Bytes open_base(const Bytes& enc, const HpkeKeyPair& recipient, const Bytes& info,
                          const Bytes& aad, const Bytes& ciphertext) const = 0;
};

const CryptoProvider& real_crypto();
const CryptoProvider& fast_crypto();
// "real" or "fast"; nullptr for any other name.
const CryptoProvider* find_crypto_provider(std::string_view name);

}  // namespace dmlssim::models::mls
