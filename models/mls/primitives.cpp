#include "models/mls/primitives.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <memory>

namespace dmlssim::models::mls {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
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

// The algorithms fetched once (OpenSSL 3.0 fetches by name on every call of the convenience
// APIs, under a lock) and one reusable context per thread.
struct Algorithms {
  EVP_MD* sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  EVP_MAC* hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  EVP_CIPHER* aes_gcm = EVP_CIPHER_fetch(nullptr, "AES-128-GCM", nullptr);
};

const Algorithms& algorithms() {
  static const Algorithms a;
  if (a.sha256 == nullptr || a.hmac == nullptr || a.aes_gcm == nullptr) {
    throw CryptoError("OpenSSL: SHA256, HMAC or AES-128-GCM is not available");
  }
  return a;
}

struct ThreadContexts {
  EVP_MD_CTX* digest = EVP_MD_CTX_new();
  EVP_MAC_CTX* mac = nullptr;
  EVP_CIPHER_CTX* cipher = EVP_CIPHER_CTX_new();
  Bytes mac_key;  // the key `mac` holds once mac_key_set
  bool mac_key_set = false;
  ThreadContexts() {
    mac = EVP_MAC_CTX_new(algorithms().hmac);
    char digest_name[] = "SHA256";
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
        OSSL_PARAM_construct_end()};
    if (mac != nullptr && EVP_MAC_CTX_set_params(mac, params) != 1) {
      EVP_MAC_CTX_free(mac);
      mac = nullptr;
    }
  }
  ~ThreadContexts() {
    EVP_MD_CTX_free(digest);
    EVP_MAC_CTX_free(mac);
    EVP_CIPHER_CTX_free(cipher);
  }
  ThreadContexts(const ThreadContexts&) = delete;
  ThreadContexts& operator=(const ThreadContexts&) = delete;
};

ThreadContexts& contexts() {
  thread_local ThreadContexts c;
  require(c.digest != nullptr && c.mac != nullptr && c.cipher != nullptr, "crypto contexts");
  return c;
}

}  // namespace

Bytes sha256(const Bytes& data) {
  return sha256_of({data});
}

Bytes sha256_of(std::initializer_list<ByteView> parts) {
  EVP_MD_CTX* ctx = contexts().digest;
  Bytes out(kHashLength);
  unsigned int len = 0;
  bool ok = EVP_DigestInit_ex2(ctx, algorithms().sha256, nullptr) == 1;
  for (const ByteView part : parts) {
    ok = ok && EVP_DigestUpdate(ctx, part.data(), part.size()) == 1;
  }
  require(ok && EVP_DigestFinal_ex(ctx, out.data(), &len) == 1, "SHA-256");
  return out;
}

Bytes hmac_sha256(const Bytes& key, ByteView data) {
  static const std::uint8_t kEmpty = 0;
  ThreadContexts& c = contexts();
  EVP_MAC_CTX* ctx = c.mac;
  Bytes out(kHashLength);
  std::size_t len = 0;
  // A null key pointer keeps the previous key and skips its setup (the key schedule derives many
  // secrets from one); an empty key still needs a non-null pointer.
  const bool same_key = c.mac_key_set && c.mac_key == key;
  if (!same_key) {
    c.mac_key = key;
    c.mac_key_set = true;
  }
  const std::uint8_t* key_data = same_key ? nullptr : key.empty() ? &kEmpty : key.data();
  require(EVP_MAC_init(ctx, key_data, key.size(), nullptr) == 1 &&
              EVP_MAC_update(ctx, data.data(), data.size()) == 1 &&
              EVP_MAC_final(ctx, out.data(), &len, out.size()) == 1 && len == kHashLength,
          "HMAC-SHA256");
  return out;
}

Bytes hkdf_extract(const Bytes& salt, const Bytes& ikm) {
  return hmac_sha256(salt.empty() ? Bytes(kHashLength, 0) : salt, ikm);
}

Bytes hkdf_expand(const Bytes& prk, ByteView info, std::size_t length) {
  if (length > 255 * kHashLength) throw CryptoError("HKDF-Expand: length above 255 * HashLen");
  // T(i) = HMAC(PRK, T(i-1) || info || i), RFC 5869 §2.3.
  Bytes input;
  input.reserve(kHashLength + info.size() + 1);
  input.insert(input.end(), info.begin(), info.end());
  input.push_back(1);
  Bytes out = hmac_sha256(prk, input);  // T(1)
  for (std::uint8_t i = 2; out.size() < length; ++i) {
    input.assign(out.end() - kHashLength, out.end());
    input.insert(input.end(), info.begin(), info.end());
    input.push_back(i);
    append(out, hmac_sha256(prk, input));
  }
  out.resize(length);
  return out;
}

Bytes aead_seal(const Bytes& key, const Bytes& nonce, const Bytes& aad, const Bytes& plaintext) {
  require_size(key, kAeadKeyLength, "AES-128-GCM key");
  require_size(nonce, kAeadNonceLength, "AES-128-GCM nonce");
  EVP_CIPHER_CTX* ctx = contexts().cipher;
  require(EVP_EncryptInit_ex2(ctx, algorithms().aes_gcm, key.data(), nonce.data(), nullptr) == 1,
          "AES-GCM init");
  int len = 0;
  if (!aad.empty()) {
    require(EVP_EncryptUpdate(ctx, nullptr, &len, aad.data(), static_cast<int>(aad.size())) == 1,
            "AES-GCM aad");
  }
  Bytes out(plaintext.size() + kAeadTagLength);
  int written = 0;
  if (!plaintext.empty()) {
    require(EVP_EncryptUpdate(ctx, out.data(), &written, plaintext.data(),
                              static_cast<int>(plaintext.size())) == 1,
            "AES-GCM encrypt");
  }
  require(EVP_EncryptFinal_ex(ctx, out.data() + written, &len) == 1, "AES-GCM final");
  require(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, kAeadTagLength,
                              out.data() + plaintext.size()) == 1,
          "AES-GCM tag");
  return out;
}

Bytes aead_open(const Bytes& key, const Bytes& nonce, const Bytes& aad, const Bytes& ciphertext) {
  require_size(key, kAeadKeyLength, "AES-128-GCM key");
  require_size(nonce, kAeadNonceLength, "AES-128-GCM nonce");
  if (ciphertext.size() < kAeadTagLength)
    throw CryptoError("AES-128-GCM: ciphertext shorter than its tag");
  EVP_CIPHER_CTX* ctx = contexts().cipher;
  require(EVP_DecryptInit_ex2(ctx, algorithms().aes_gcm, key.data(), nonce.data(), nullptr) == 1,
          "AES-GCM init");
  int len = 0;
  if (!aad.empty()) {
    require(EVP_DecryptUpdate(ctx, nullptr, &len, aad.data(), static_cast<int>(aad.size())) == 1,
            "AES-GCM aad");
  }
  const std::size_t body = ciphertext.size() - kAeadTagLength;
  Bytes out(body);
  int written = 0;
  if (body > 0) {
    require(EVP_DecryptUpdate(ctx, out.data(), &written, ciphertext.data(),
                              static_cast<int>(body)) == 1,
            "AES-GCM decrypt");
  }
  Bytes tag(ciphertext.begin() + static_cast<long>(body), ciphertext.end());
  require(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, kAeadTagLength, tag.data()) == 1,
          "AES-GCM set tag");
  if (EVP_DecryptFinal_ex(ctx, out.data() + written, &len) != 1) {
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
