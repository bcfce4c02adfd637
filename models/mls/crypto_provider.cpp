#include "models/mls/crypto_provider.hpp"

#include <algorithm>

#include "models/mls/hpke.hpp"
#include "models/mls/primitives.hpp"

namespace dmlssim::models::mls {
namespace {

class RealCrypto final : public CryptoProvider {
 public:
  std::string_view name() const override { return "real"; }
  Bytes dh_public_key(const Bytes& sk) const override { return x25519_public_key(sk); }
  Bytes dh(const Bytes& sk, const Bytes& pk) const override { return x25519(sk, pk); }
  Bytes signature_public_key(const Bytes& sk) const override { return ed25519_public_key(sk); }
  Bytes sign(const Bytes& sk, const Bytes& message) const override {
    return ed25519_sign(sk, message);
  }
  bool verify(const Bytes& pk, const Bytes& message, const Bytes& signature) const override {
    return ed25519_verify(pk, message, signature);
  }
  HpkeKeyPair derive_key_pair(const Bytes& ikm) const override {
    return hpke_derive_key_pair(*this, ikm);
  }
  std::pair<Bytes, Bytes> seal_base(const Bytes& pk, const Bytes& info, const Bytes& aad,
                                    const Bytes& plaintext, const Bytes& seed) const override {
    return hpke_seal_base(*this, pk, info, aad, plaintext, hpke_derive_key_pair(*this, seed));
  }
  Bytes open_base(const Bytes& enc, const HpkeKeyPair& recipient, const Bytes& info,
                  const Bytes& aad, const Bytes& ciphertext) const override {
    return hpke_open_base(*this, enc, recipient, info, aad, ciphertext);
  }
  Bytes mac(const Bytes& key, ByteView data) const override { return hmac_sha256(key, data); }
  Bytes kdf_expand(const Bytes& prk, ByteView info, std::size_t length) const override {
    return hkdf_expand(prk, info, length);
  }
};

Bytes tagged_hash(std::string_view tag, const Bytes& a, const Bytes& b = {}) {
  return sha256_of({view_of(tag), a, b});
}

void require_key(const Bytes& key, const char* what) {
  if (key.size() != kX25519Length) {
    throw CryptoError(std::string(what) + ": expected 32 bytes, got " + std::to_string(key.size()));
  }
}

// Public key = H(tag || private key). The shared secret hashes both public keys in sorted order,
// so either side computes it from its own private key and the other's public key.
class FastCrypto final : public CryptoProvider {
 public:
  std::string_view name() const override { return "fast"; }
  Bytes dh_public_key(const Bytes& sk) const override {
    require_key(sk, "private key");
    return tagged_hash("fast dh public ", sk);
  }
  Bytes dh(const Bytes& sk, const Bytes& pk) const override {
    require_key(pk, "public key");
    const Bytes own = dh_public_key(sk);
    const bool own_first =
        std::lexicographical_compare(own.begin(), own.end(), pk.begin(), pk.end());
    return own_first ? tagged_hash("fast dh shared ", own, pk)
                     : tagged_hash("fast dh shared ", pk, own);
  }
  Bytes signature_public_key(const Bytes& sk) const override {
    require_key(sk, "private key");
    return tagged_hash("fast signature public ", sk);
  }
  // Signature = H(pk || m) twice: 64 bytes, checkable by anyone with the public key.
  Bytes sign(const Bytes& sk, const Bytes& message) const override {
    return signature_of(signature_public_key(sk), message);
  }
  bool verify(const Bytes& pk, const Bytes& message, const Bytes& signature) const override {
    return pk.size() == kX25519Length && signature == signature_of(pk, message);
  }
  HpkeKeyPair derive_key_pair(const Bytes& ikm) const override {
    Bytes sk = tagged_hash("fast kem private ", ikm);
    Bytes pk = dh_public_key(sk);
    return {std::move(sk), std::move(pk)};
  }
  // enc = H(seed); the key k hashes the recipient's public key, enc and info. The AEAD is a
  // stand-in too: plaintext XOR H(k || i) blocks, then 16 bytes of H(k || aad || ciphertext).
  std::pair<Bytes, Bytes> seal_base(const Bytes& pk, const Bytes& info, const Bytes& aad,
                                    const Bytes& plaintext, const Bytes& seed) const override {
    require_key(pk, "public key");
    Bytes enc = tagged_hash("fast hpke enc ", seed);
    const Bytes k = key_of(pk, enc, info);
    Bytes ct = keystream_xor(k, plaintext);
    const Bytes tag = tag_of(k, aad, ct);
    ct.insert(ct.end(), tag.begin(), tag.begin() + kAeadTagLength);
    return {std::move(enc), std::move(ct)};
  }
  Bytes open_base(const Bytes& enc, const HpkeKeyPair& recipient, const Bytes& info,
                  const Bytes& aad, const Bytes& ciphertext) const override {
    if (enc.size() != kX25519Length) throw CryptoError("HPKE: enc of the wrong length");
    if (ciphertext.size() < kAeadTagLength) throw CryptoError("HPKE: ciphertext too short");
    const Bytes k = key_of(recipient.public_key, enc, info);
    const Bytes body(ciphertext.begin(), ciphertext.end() - kAeadTagLength);
    const Bytes tag = tag_of(k, aad, body);
    if (!std::equal(tag.begin(), tag.begin() + kAeadTagLength, ciphertext.end() - kAeadTagLength)) {
      throw CryptoError("HPKE: the ciphertext does not authenticate");
    }
    return keystream_xor(k, body);
  }
  // MAC = H(tag || len(key) || key || data); expand block i = H(tag || prk || info || i).
  Bytes mac(const Bytes& key, ByteView data) const override {
    const std::uint8_t key_length[2] = {static_cast<std::uint8_t>(key.size() >> 8),
                                        static_cast<std::uint8_t>(key.size())};
    return sha256_of({view_of("fast mac "), key_length, key, data});
  }
  Bytes kdf_expand(const Bytes& prk, ByteView info, std::size_t length) const override {
    if (length > 255 * kHashLength) throw CryptoError("KDF-Expand: length above 255 * HashLen");
    const std::uint8_t first[1] = {1};
    if (length <= kHashLength) {  // one block, the common case
      Bytes out = sha256_of({view_of("fast expand "), prk, info, first});
      out.resize(length);
      return out;
    }
    Bytes out;
    out.reserve(length + kHashLength);
    for (std::uint8_t block = 1; out.size() < length; ++block) {
      const std::uint8_t counter[1] = {block};
      append(out, sha256_of({view_of("fast expand "), prk, info, counter}));
    }
    out.resize(length);
    return out;
  }

 private:
  static Bytes key_of(const Bytes& pk, const Bytes& enc, const Bytes& info) {
    return sha256_of({view_of("fast hpke key "), pk, enc, info});
  }
  static Bytes keystream_xor(const Bytes& k, const Bytes& in) {
    Bytes out = in;
    for (std::size_t at = 0; at < out.size(); at += kHashLength) {
      const std::uint8_t counter[4] = {
          static_cast<std::uint8_t>(at >> 29), static_cast<std::uint8_t>(at >> 21),
          static_cast<std::uint8_t>(at >> 13), static_cast<std::uint8_t>(at >> 5)};
      const Bytes block = sha256_of({view_of("fast hpke stream "), k, counter});
      for (std::size_t i = at; i < out.size() && i < at + kHashLength; ++i)
        out[i] ^= block[i - at];
    }
    return out;
  }
  static Bytes tag_of(const Bytes& k, const Bytes& aad, const Bytes& body) {
    const std::uint8_t aad_length[4] = {
        static_cast<std::uint8_t>(aad.size() >> 24), static_cast<std::uint8_t>(aad.size() >> 16),
        static_cast<std::uint8_t>(aad.size() >> 8), static_cast<std::uint8_t>(aad.size())};
    return sha256_of({view_of("fast hpke tag "), k, aad_length, aad, body});
  }
  static Bytes signature_of(const Bytes& pk, const Bytes& message) {
    Bytes half = tagged_hash("fast signature ", pk, message);
    Bytes sig = half;
    append(sig, half);
    return sig;
  }
};

}  // namespace

const CryptoProvider& real_crypto() {
  static const RealCrypto provider;
  return provider;
}

const CryptoProvider& fast_crypto() {
  static const FastCrypto provider;
  return provider;
}

const CryptoProvider* find_crypto_provider(std::string_view name) {
  if (name == "real") return &real_crypto();
  if (name == "fast") return &fast_crypto();
  return nullptr;
}

}  // namespace dmlssim::models::mls
