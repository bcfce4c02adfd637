#include "models/mls/primitives.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <memory>

namespace dmlssim::models::mls {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* p) const { EVP_CIPHER_CTX_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

void require(bool ok, const char* what) {
  if (!ok) throw CryptoError(std::string("OpenSSL: ") + what + " failed");
}

void require_size(const Bytes& b, std::size_t n, const char* what) {
  if (b.size() != n) {
    throw CryptoError(std::string(what) + ": expected " + std::to_string(n) + " bytes, got " +
                      std::to_string(b.size()));
  }
}

Pkey private_key(int type, const Bytes& raw) {
  require_size(raw, 32, "private key");
  Pkey key(EVP_PKEY_new_raw_private_key(type, nullptr, raw.data(), raw.size()));
  require(key != nullptr, "loading a private key");
  return key;
}

Pkey public_key(int type, const Bytes& raw) {
  require_size(raw, 32, "public key");
  Pkey key(EVP_PKEY_new_raw_public_key(type, nullptr, raw.data(), raw.size()));
  require(key != nullptr, "loading a public key");
  return key;
}

Bytes raw_public(const Pkey& key) {
  Bytes out(32);
  std::size_t len = out.size();
  require(EVP_PKEY_get_raw_public_key(key.get(), out.data(), &len) == 1 && len == 32,
          "reading a public key");
  return out;
}

}  // namespace

Bytes sha256(const Bytes& data) {
  Bytes out(kHashLength);
  unsigned int len = 0;
  require(EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr) == 1,
          "SHA-256");
  return out;
}

Bytes hmac_sha256(const Bytes& key, const Bytes& data) {
  static const std::uint8_t kEmpty = 0;
  Bytes out(kHashLength);
  unsigned int len = 0;
  require(HMAC(EVP_sha256(), key.empty() ? &kEmpty : key.data(), static_cast<int>(key.size()),
               data.empty() ? &kEmpty : data.data(), data.size(), out.data(), &len) != nullptr,
          "HMAC-SHA256");
  return out;
}

Bytes hkdf_extract(const Bytes& salt, const Bytes& ikm) {
  return hmac_sha256(salt.empty() ? Bytes(kHashLength, 0) : salt, ikm);
}

Bytes hkdf_expand(const Bytes& prk, const Bytes& info, std::size_t length) {
  if (length > 255 * kHashLength) throw CryptoError("HKDF-Expand: length above 255 * HashLen");
  // T(i) = HMAC(PRK, T(i-1) || info || i), RFC 5869 §2.3.
  Bytes out, block;
  for (std::uint8_t i = 1; out.size() < length; ++i) {
    Bytes input = block;
    input.insert(input.end(), info.begin(), info.end());
    input.push_back(i);
    block = hmac_sha256(prk, input);
    out.insert(out.end(), block.begin(), block.end());
  }
  out.resize(length);
  return out;
}

Bytes aead_seal(const Bytes& key, const Bytes& nonce, const Bytes& aad, const Bytes& plaintext) {
  require_size(key, kAeadKeyLength, "AES-128-GCM key");
  require_size(nonce, kAeadNonceLength, "AES-128-GCM nonce");
  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> ctx(EVP_CIPHER_CTX_new());
  require(ctx != nullptr, "cipher context");
  require(EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_gcm(), nullptr, key.data(), nonce.data()) == 1,
          "AES-GCM init");
  int len = 0;
  if (!aad.empty()) {
    require(
        EVP_EncryptUpdate(ctx.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())) == 1,
        "AES-GCM aad");
  }
  Bytes out(plaintext.size() + kAeadTagLength);
  int written = 0;
  if (!plaintext.empty()) {
    require(EVP_EncryptUpdate(ctx.get(), out.data(), &written, plaintext.data(),
                              static_cast<int>(plaintext.size())) == 1,
            "AES-GCM encrypt");
  }
  require(EVP_EncryptFinal_ex(ctx.get(), out.data() + written, &len) == 1, "AES-GCM final");
  require(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kAeadTagLength,
                              out.data() + plaintext.size()) == 1,
          "AES-GCM tag");
  return out;
}

Bytes aead_open(const Bytes& key, const Bytes& nonce, const Bytes& aad, const Bytes& ciphertext) {
  require_size(key, kAeadKeyLength, "AES-128-GCM key");
  require_size(nonce, kAeadNonceLength, "AES-128-GCM nonce");
  if (ciphertext.size() < kAeadTagLength)
    throw CryptoError("AES-128-GCM: ciphertext shorter than its tag");
  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> ctx(EVP_CIPHER_CTX_new());
  require(ctx != nullptr, "cipher context");
  require(EVP_DecryptInit_ex(ctx.get(), EVP_aes_128_gcm(), nullptr, key.data(), nonce.data()) == 1,
          "AES-GCM init");
  int len = 0;
  if (!aad.empty()) {
    require(
        EVP_DecryptUpdate(ctx.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())) == 1,
        "AES-GCM aad");
  }
  const std::size_t body = ciphertext.size() - kAeadTagLength;
  Bytes out(body);
  int written = 0;
  if (body > 0) {
    require(EVP_DecryptUpdate(ctx.get(), out.data(), &written, ciphertext.data(),
                              static_cast<int>(body)) == 1,
            "AES-GCM decrypt");
  }
  Bytes tag(ciphertext.begin() + static_cast<long>(body), ciphertext.end());
  require(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kAeadTagLength, tag.data()) == 1,
          "AES-GCM set tag");
  if (EVP_DecryptFinal_ex(ctx.get(), out.data() + written, &len) != 1) {
    throw CryptoError("AES-128-GCM: authentication tag does not verify");
  }
  return out;
}

Bytes x25519_public_key(const Bytes& private_key_bytes) {
  return raw_public(private_key(EVP_PKEY_X25519, private_key_bytes));
}

Bytes x25519(const Bytes& private_key_bytes, const Bytes& peer_public_key) {
  const Pkey own = private_key(EVP_PKEY_X25519, private_key_bytes);
  const Pkey peer = public_key(EVP_PKEY_X25519, peer_public_key);
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(EVP_PKEY_CTX_new(own.get(), nullptr));
  require(ctx != nullptr, "X25519 context");
  require(EVP_PKEY_derive_init(ctx.get()) == 1, "X25519 init");
  require(EVP_PKEY_derive_set_peer(ctx.get(), peer.get()) == 1, "X25519 peer");
  Bytes out(kX25519Length);
  std::size_t len = out.size();
  require(EVP_PKEY_derive(ctx.get(), out.data(), &len) == 1 && len == kX25519Length, "X25519");
  return out;
}

Bytes ed25519_public_key(const Bytes& private_key_bytes) {
  return raw_public(private_key(EVP_PKEY_ED25519, private_key_bytes));
}

Bytes ed25519_sign(const Bytes& private_key_bytes, const Bytes& message) {
  const Pkey key = private_key(EVP_PKEY_ED25519, private_key_bytes);
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  require(ctx != nullptr, "digest context");
  require(EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) == 1, "Ed25519 init");
  Bytes out(kEd25519SignatureLength);
  std::size_t len = out.size();
  require(EVP_DigestSign(ctx.get(), out.data(), &len, message.data(), message.size()) == 1 &&
              len == kEd25519SignatureLength,
          "Ed25519 sign");
  return out;
}

bool ed25519_verify(const Bytes& public_key_bytes, const Bytes& message, const Bytes& signature) {
  if (public_key_bytes.size() != 32 || signature.size() != kEd25519SignatureLength) return false;
  const Pkey key = public_key(EVP_PKEY_ED25519, public_key_bytes);
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  require(ctx != nullptr, "digest context");
  require(EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) == 1,
          "Ed25519 verify init");
  return EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(),
                          message.size()) == 1;
}

}  // namespace dmlssim::models::mls
