// The asymmetric operations of cipher suite 1 behind one interface, so that the same group state
// machine runs on real cryptography or on cheap stand-ins at simulation scale.
//
// `real` is X25519 and Ed25519 on OpenSSL. `fast` replaces them with SHA-256 constructions whose
// keys, shared secrets and signatures have the real sizes (32, 32, 64 bytes), so every message is
// byte-for-byte as long as with `real`. The fast stand-ins give no security: anyone holding a
// public key can compute the shared secrets and signatures of its owner. Symmetric primitives
// (hash, HKDF, AEAD) stay real in both.
#pragma once

#include <string_view>

#include "models/mls/bytes.hpp"

namespace dmlssim::models::mls {

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
};

const CryptoProvider& real_crypto();
const CryptoProvider& fast_crypto();
// "real" or "fast"; nullptr for any other name.
const CryptoProvider* find_crypto_provider(std::string_view name);

}  // namespace dmlssim::models::mls
