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

TEST_CASE("AES-128-GCM rejects a tampered ciphertext; keys of the wrong size are refused",
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
