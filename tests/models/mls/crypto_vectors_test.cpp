// Cipher suite 1's primitives beyond what the interop vectors check (interop_vectors_test.cpp
// runs those): signatures and labeled encryption refuse the wrong label, AES-GCM refuses tampering,
// keys of the wrong size are refused.
#include <catch2/catch.hpp>

#include "models/mls/hpke.hpp"
#include "models/mls/labels.hpp"
#include "models/mls/primitives.hpp"
#include "tests/models/mls/vector_files.hpp"

namespace mls = dmlssim::models::mls;
using dmlssim::testing::hex;

TEST_CASE("labels bind signatures and ciphertexts of the crypto-basics vectors", "[mls]") {
  const nlohmann::json v = dmlssim::testing::vector_file("mls/crypto-basics.json").at(0);
  const auto& s = v["sign_with_label"];
  CHECK(mls::verify_with_label(mls::real_crypto(), hex(s["pub"]), s["label"], hex(s["content"]),
                               hex(s["signature"])));
  CHECK_FALSE(mls::verify_with_label(mls::real_crypto(), hex(s["pub"]), "other", hex(s["content"]),
                                     hex(s["signature"])));
  const auto& c = v["encrypt_with_label"];
  CHECK_THROWS_AS(
      mls::decrypt_with_label(mls::real_crypto(), hex(c["priv"]), "wrong", hex(c["context"]),
                              hex(c["kem_output"]), hex(c["ciphertext"])),
      mls::CryptoError);
}

TEST_CASE("AES-128-GCM rejects a tampered ciphertext — keys of the wrong size are refused",
          "[mls][hpke]") {
  const mls::Bytes key(16, 1), nonce(12, 2), aad = mls::to_bytes("aad");
  mls::Bytes ct = mls::aead_seal(key, nonce, aad, mls::to_bytes("hello"));
  CHECK(mls::aead_open(key, nonce, aad, ct) == mls::to_bytes("hello"));
  ct[0] ^= 1;
  CHECK_THROWS_AS(mls::aead_open(key, nonce, aad, ct), mls::CryptoError);
  CHECK_THROWS_AS(mls::aead_seal(mls::Bytes(15, 0), nonce, aad, {}), mls::CryptoError);
  CHECK_THROWS_AS(mls::x25519(mls::Bytes(31, 0), mls::Bytes(32, 9)), mls::CryptoError);
  CHECK_FALSE(mls::ed25519_verify(mls::Bytes(32, 0), {}, mls::Bytes(63, 0)));
}

TEST_CASE("HMAC-SHA256 gives RFC 4231's values when keys repeat and alternate", "[mls]") {
  const mls::Bytes key1(20, 0x0b), data1 = mls::to_bytes("Hi There");
  const mls::Bytes key2 = mls::to_bytes("Jefe"),
                   data2 = mls::to_bytes("what do ya want for nothing?");
  const mls::Bytes mac1 =
      mls::from_hex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  const mls::Bytes mac2 =
      mls::from_hex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // HMAC-SHA256 with an empty key over an empty message, computed independently (Python hmac).
  const mls::Bytes mac_empty =
      mls::from_hex("b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
  CHECK(mls::hmac_sha256(key1, data1) == mac1);
  CHECK(mls::hmac_sha256(key1, data1) == mac1);  // the kept key
  CHECK(mls::hmac_sha256(key2, data2) == mac2);
  CHECK(mls::hmac_sha256(key1, data1) == mac1);
  CHECK(mls::hmac_sha256({}, {}) == mac_empty);
  CHECK(mls::hmac_sha256({}, {}) == mac_empty);
  CHECK(mls::hmac_sha256(key2, data2) == mac2);
}

TEST_CASE("SHA-256 over parts equals SHA-256 of their concatenation", "[mls]") {
  const mls::Bytes abc =
      mls::from_hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(mls::sha256(mls::to_bytes("abc")) == abc);
  CHECK(mls::sha256_of({mls::view_of("a"), mls::view_of(""), mls::view_of("bc")}) == abc);
  CHECK(mls::sha256_of({}) ==
        mls::from_hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
}

TEST_CASE("ExpandWithLabel encodes KDFLabel for short and long labels and contexts", "[mls]") {
  const mls::Bytes secret(32, 3);
  // KDFLabel written out by hand: uint16 length, varint-prefixed "MLS 1.0 " + label, context.
  const auto varint = [](std::size_t n) {
    return n < 64 ? std::string(1, static_cast<char>(n))
                  : std::string{static_cast<char>(0x40 | (n >> 8)), static_cast<char>(n & 0xff)};
  };
  const auto expected = [&](const std::string& label, const mls::Bytes& context) {
    const std::string full = "MLS 1.0 " + label;
    const std::string info = std::string{'\0', '\x10'} + varint(full.size()) + full +
                             varint(context.size()) + std::string(context.begin(), context.end());
    return mls::hkdf_expand(secret, mls::to_bytes(info), 16);
  };
  for (const std::size_t label_size : {0, 5, 55, 56, 70}) {
    for (const std::size_t context_size : {0, 32, 63, 64, 300}) {
      const std::string label(label_size, 'x');
      const mls::Bytes context(context_size, 9);
      CHECK(mls::expand_with_label(mls::real_crypto(), secret, label, context, 16) ==
            expected(label, context));
    }
  }
}
