// Cipher suite 1 against the interop vectors (mls/crypto-basics.json) and HPKE against RFC 9180
// Appendix A.1 (hpke/), all four modes.
#include <catch2/catch.hpp>

#include "models/mls/hpke.hpp"
#include "models/mls/labels.hpp"
#include "models/mls/primitives.hpp"
#include "tests/models/mls/vector_files.hpp"

namespace mls = dmlssim::models::mls;
using dmlssim::testing::hex;

TEST_CASE("crypto basics match the interop vectors", "[mls][vectors]") {
  const nlohmann::json vectors = dmlssim::testing::vector_file("mls/crypto-basics.json");
  REQUIRE(!vectors.empty());
  for (const auto& v : vectors) {
    REQUIRE(v["cipher_suite"] == 1);
    const auto& r = v["ref_hash"];
    CHECK(mls::ref_hash(r["label"], hex(r["value"])) == hex(r["out"]));
    const auto& e = v["expand_with_label"];
    CHECK(mls::expand_with_label(hex(e["secret"]), e["label"], hex(e["context"]),
                                 e["length"].get<std::uint16_t>()) == hex(e["out"]));
    const auto& d = v["derive_secret"];
    CHECK(mls::derive_secret(hex(d["secret"]), d["label"]) == hex(d["out"]));
    const auto& t = v["derive_tree_secret"];
    CHECK(mls::derive_tree_secret(hex(t["secret"]), t["label"],
                                  t["generation"].get<std::uint32_t>(),
                                  t["length"].get<std::uint16_t>()) == hex(t["out"]));
    const auto& s = v["sign_with_label"];
    CHECK(mls::ed25519_public_key(hex(s["priv"])) == hex(s["pub"]));
    // Ed25519 is deterministic: the signature is reproduced exactly, and it verifies.
    CHECK(mls::sign_with_label(mls::real_crypto(), hex(s["priv"]), s["label"], hex(s["content"])) ==
          hex(s["signature"]));
    CHECK(mls::verify_with_label(mls::real_crypto(), hex(s["pub"]), s["label"], hex(s["content"]),
                                 hex(s["signature"])));
    CHECK_FALSE(mls::verify_with_label(mls::real_crypto(), hex(s["pub"]), "other",
                                       hex(s["content"]), hex(s["signature"])));
    const auto& c = v["encrypt_with_label"];
    CHECK(mls::x25519_public_key(hex(c["priv"])) == hex(c["pub"]));
    CHECK(mls::decrypt_with_label(mls::real_crypto(), hex(c["priv"]), c["label"], hex(c["context"]),
                                  hex(c["kem_output"]),
                                  hex(c["ciphertext"])) == hex(c["plaintext"]));
    // And our own encryption round-trips (HPKE is randomised: the ephemeral key is ours).
    const mls::HpkeKeyPair ephemeral =
        mls::hpke_derive_key_pair(mls::real_crypto(), mls::Bytes(32, 7));
    const auto sealed = mls::encrypt_with_label(mls::real_crypto(), hex(c["pub"]), c["label"],
                                                hex(c["context"]), hex(c["plaintext"]), ephemeral);
    CHECK(mls::decrypt_with_label(mls::real_crypto(), hex(c["priv"]), c["label"], hex(c["context"]),
                                  sealed.kem_output, sealed.ciphertext) == hex(c["plaintext"]));
    CHECK_THROWS_AS(
        mls::decrypt_with_label(mls::real_crypto(), hex(c["priv"]), "wrong", hex(c["context"]),
                                sealed.kem_output, sealed.ciphertext),
        mls::CryptoError);
  }
}

TEST_CASE("HPKE matches RFC 9180 Appendix A.1 in all four modes", "[mls][hpke][vectors]") {
  const nlohmann::json vectors =
      dmlssim::testing::vector_file("hpke/rfc9180-a1-x25519-sha256-aes128gcm.json");
  REQUIRE(vectors.size() == 4);
  for (const auto& v : vectors) {
    CAPTURE(v["mode"].get<int>());
    const auto mode = static_cast<mls::HpkeMode>(v["mode"].get<int>());
    const mls::HpkeKeyPair e = mls::hpke_derive_key_pair(mls::real_crypto(), hex(v["ikmE"]));
    const mls::HpkeKeyPair r = mls::hpke_derive_key_pair(mls::real_crypto(), hex(v["ikmR"]));
    CHECK(e.private_key == hex(v["skEm"]));
    CHECK(e.public_key == hex(v["pkEm"]));
    CHECK(r.private_key == hex(v["skRm"]));
    CHECK(r.public_key == hex(v["pkRm"]));
    mls::HpkeInputs in{mode, hex(v["info"]), {}, {}};
    if (v.contains("psk")) {
      in.psk = hex(v["psk"]);
      in.psk_id = hex(v["psk_id"]);
    }
    mls::Bytes sk_s, pk_s;
    if (v.contains("ikmS")) {
      const mls::HpkeKeyPair s = mls::hpke_derive_key_pair(mls::real_crypto(), hex(v["ikmS"]));
      CHECK(s.private_key == hex(v["skSm"]));
      CHECK(s.public_key == hex(v["pkSm"]));
      sk_s = s.private_key;
      pk_s = s.public_key;
    }
    mls::HpkeSender sender = mls::hpke_setup_sender(mls::real_crypto(), in, r.public_key, e, sk_s);
    CHECK(sender.enc == hex(v["enc"]));
    CHECK(sender.shared_secret == hex(v["shared_secret"]));
    mls::Bytes context, secret;
    mls::hpke_key_schedule(in, sender.shared_secret, &context, &secret);
    CHECK(context == hex(v["key_schedule_context"]));
    CHECK(secret == hex(v["secret"]));
    CHECK(sender.context.key() == hex(v["key"]));
    CHECK(sender.context.base_nonce() == hex(v["base_nonce"]));
    CHECK(sender.context.exporter_secret() == hex(v["exporter_secret"]));
    mls::HpkeContext receiver =
        mls::hpke_setup_receiver(mls::real_crypto(), in, sender.enc, r.private_key, pk_s);
    for (const auto& enc : v["encryptions"]) {
      const auto seq = enc["sequence_number"].get<std::uint64_t>();
      CAPTURE(seq);
      CHECK(sender.context.nonce(seq) == hex(enc["nonce"]));
      CHECK(mls::aead_seal(sender.context.key(), sender.context.nonce(seq), hex(enc["aad"]),
                           hex(enc["pt"])) == hex(enc["ct"]));
      CHECK(mls::aead_open(receiver.key(), receiver.nonce(seq), hex(enc["aad"]), hex(enc["ct"])) ==
            hex(enc["pt"]));
    }
    // Sequential use: the first seal of a fresh context is sequence 0.
    CHECK(sender.context.seal(hex(v["encryptions"][0]["aad"]), hex(v["encryptions"][0]["pt"])) ==
          hex(v["encryptions"][0]["ct"]));
    CHECK(receiver.open(hex(v["encryptions"][0]["aad"]), hex(v["encryptions"][0]["ct"])) ==
          hex(v["encryptions"][0]["pt"]));
    for (const auto& x : v["exports"]) {
      CHECK(receiver.export_secret(hex(x["exporter_context"]), x["L"].get<std::size_t>()) ==
            hex(x["exported_value"]));
    }
  }
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
