// The asymmetric operations of cipher suite 1 and its MAC and KDF behind one interface, so that the
// same group state machine runs on real cryptography or on cheap stand-ins at simulation scale.
//
// `real` is X25519, Ed25519, HPKE (RFC 9180), HMAC-SHA256 and HKDF-SHA256 on OpenSSL. `fast`
// replaces them with single SHA-256 constructions whose keys, shared secrets, encapsulations,
// ciphertexts, signatures, MACs and derived secrets have the real sizes (32, 32, 32, plaintext +
// 16, 64, 32 and the requested length), so every message is byte-for-byte as long as with `real`.
// The fast stand-ins give no security: anyone holding a public key can compute the shared secrets,
// decrypt, and sign for its owner. The hash (SHA-256) and the AEAD (AES-128-GCM) are real in both.
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

  // The MAC (HMAC-SHA256: 32 bytes) and the KDF (HKDF-SHA256, RFC 5869) of the key schedule, the
  // secret tree, membership and confirmation tags. Extract is the MAC keyed with the salt (an
  // empty salt and Nh zero bytes are the same HMAC key).
  virtual Bytes mac(const Bytes& key, ByteView data) const = 0;
  Bytes kdf_extract(const Bytes& salt, ByteView ikm) const { return mac(salt, ikm); }
  virtual Bytes kdf_expand(const Bytes& prk, ByteView info, std::size_t length) const = 0;
};

const CryptoProvider& real_crypto();
const CryptoProvider& fast_crypto();
// "real" or "fast"; nullptr for any other name.
const CryptoProvider* find_crypto_provider(std::string_view name);

}  // namespace dmlssim::models::mls
