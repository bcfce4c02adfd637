// The primitives of MLS cipher suite 1 (MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519) on OpenSSL
// 3.0's EVP API: SHA-256, HMAC-SHA256, HKDF (RFC 5869), AES-128-GCM, X25519, Ed25519. Failures of
// the library (a malformed key, a failed tag check) throw CryptoError.
#pragma once

#include <initializer_list>
#include <stdexcept>

#include "models/mls/bytes.hpp"

namespace dmlssim::models::mls {

class CryptoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr std::size_t kHashLength = 32;       // Nh
inline constexpr std::size_t kAeadKeyLength = 16;    // Nk
inline constexpr std::size_t kAeadNonceLength = 12;  // Nn
inline constexpr std::size_t kAeadTagLength = 16;
inline constexpr std::size_t kX25519Length = 32;
inline constexpr std::size_t kEd25519SignatureLength = 64;

Bytes sha256(const Bytes& data);
// SHA-256 of the concatenation of `parts`, without building it.
Bytes sha256_of(std::initializer_list<ByteView> parts);
Bytes hmac_sha256(const Bytes& key, ByteView data);
// HKDF-Extract; an empty salt means HashLen zero bytes (RFC 5869 §2.2).
Bytes hkdf_extract(const Bytes& salt, const Bytes& ikm);
Bytes hkdf_expand(const Bytes& prk, ByteView info, std::size_t length);

// AES-128-GCM: ciphertext || 16-byte tag. `open` throws CryptoError when the tag does not verify.
Bytes aead_seal(const Bytes& key, const Bytes& nonce, const Bytes& aad, const Bytes& plaintext);
Bytes aead_open(const Bytes& key, const Bytes& nonce, const Bytes& aad, const Bytes& ciphertext);

Bytes x25519_public_key(const Bytes& private_key);
Bytes x25519(const Bytes& private_key, const Bytes& peer_public_key);

Bytes ed25519_public_key(const Bytes& private_key);
Bytes ed25519_sign(const Bytes& private_key, const Bytes& message);
bool ed25519_verify(const Bytes& public_key, const Bytes& message, const Bytes& signature);

}  // namespace dmlssim::models::mls
