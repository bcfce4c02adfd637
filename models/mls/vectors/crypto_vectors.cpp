// crypto-basics.json (the labeled functions of RFC 9420 §5) and RFC 9180's HPKE vectors.
#include "models/mls/hpke.hpp"
#include "models/mls/labels.hpp"
#include "models/mls/primitives.hpp"
#include "models/mls/vectors/entry_check.hpp"

namespace dmlssim::models::mls::vectors {

void run_crypto_basics(const nlohmann::json& v, std::size_t index, VectorResult& out) {
  if (skip_other_suite(v, out)) return;
  const CryptoProvider& crypto = real_crypto();
  EntryCheck check(index, out);
  const auto& r = v.at("ref_hash");
  check.expect(ref_hash(r.at("label"), hex_of(r.at("value"))) == hex_of(r.at("out")), "ref_hash");
  const auto& e = v.at("expand_with_label");
  check.expect(expand_with_label(real_crypto(), hex_of(e.at("secret")), e.at("label"),
                                 hex_of(e.at("context")),
                                 e.at("length").get<std::uint16_t>()) == hex_of(e.at("out")),
               "expand_with_label");
  const auto& d = v.at("derive_secret");
  check.expect(
      derive_secret(real_crypto(), hex_of(d.at("secret")), d.at("label")) == hex_of(d.at("out")),
      "derive_secret");
  const auto& t = v.at("derive_tree_secret");
  check.expect(derive_tree_secret(real_crypto(), hex_of(t.at("secret")), t.at("label"),
                                  t.at("generation").get<std::uint32_t>(),
                                  t.at("length").get<std::uint16_t>()) == hex_of(t.at("out")),
               "derive_tree_secret");
  // Ed25519 is deterministic: the signature is reproduced exactly, and it verifies.
  const auto& s = v.at("sign_with_label");
  const Bytes content = hex_of(s.at("content"));
  check.expect(crypto.signature_public_key(hex_of(s.at("priv"))) == hex_of(s.at("pub")),
               "sign_with_label: public key");
  check.expect(sign_with_label(crypto, hex_of(s.at("priv")), s.at("label"), content) ==
                   hex_of(s.at("signature")),
               "sign_with_label: signature");
  check.expect(verify_with_label(crypto, hex_of(s.at("pub")), s.at("label"), content,
                                 hex_of(s.at("signature"))),
               "verify_with_label");
  // EncryptWithLabel is randomised: decrypt the given ciphertext, then round-trip our own.
  const auto& c = v.at("encrypt_with_label");
  const Bytes priv = hex_of(c.at("priv")), context = hex_of(c.at("context"));
  const Bytes plaintext = hex_of(c.at("plaintext"));
  check.expect(crypto.dh_public_key(priv) == hex_of(c.at("pub")), "encrypt_with_label: pub");
  check.expect(decrypt_with_label(crypto, priv, c.at("label"), context, hex_of(c.at("kem_output")),
                                  hex_of(c.at("ciphertext"))) == plaintext,
               "decrypt_with_label");
  const LabeledCiphertext ours = encrypt_with_label(crypto, hex_of(c.at("pub")), c.at("label"),
                                                    context, plaintext, Bytes(32, 7));
  check.expect(decrypt_with_label(crypto, priv, c.at("label"), context, ours.kem_output,
                                  ours.ciphertext) == plaintext,
               "encrypt_with_label round trip");
  check.finish();
}

void run_hpke(const nlohmann::json& v, std::size_t index, VectorResult& out) {
  // Only DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM: the suite MLS suite 1 uses.
  if (v.at("kem_id") != 0x20 || v.at("kdf_id") != 1 || v.at("aead_id") != 1) {
    ++out.skipped;
    return;
  }
  const CryptoProvider& crypto = real_crypto();
  EntryCheck check(index, out);
  const auto mode = static_cast<HpkeMode>(v.at("mode").get<int>());
  const HpkeKeyPair e = hpke_derive_key_pair(crypto, hex_of(v.at("ikmE")));
  const HpkeKeyPair r = hpke_derive_key_pair(crypto, hex_of(v.at("ikmR")));
  check.expect(e.private_key == hex_of(v.at("skEm")) && e.public_key == hex_of(v.at("pkEm")),
               "ephemeral key pair");
  check.expect(r.private_key == hex_of(v.at("skRm")) && r.public_key == hex_of(v.at("pkRm")),
               "recipient key pair");
  HpkeInputs in{mode, hex_of(v.at("info")), {}, {}};
  if (v.contains("psk")) {
    in.psk = hex_of(v.at("psk"));
    in.psk_id = hex_of(v.at("psk_id"));
  }
  Bytes sk_s, pk_s;
  if (v.contains("ikmS")) {
    const HpkeKeyPair s = hpke_derive_key_pair(crypto, hex_of(v.at("ikmS")));
    check.expect(s.private_key == hex_of(v.at("skSm")) && s.public_key == hex_of(v.at("pkSm")),
                 "sender key pair");
    sk_s = s.private_key;
    pk_s = s.public_key;
  }
  HpkeSender sender = hpke_setup_sender(crypto, in, r.public_key, e, sk_s);
  check.expect(sender.enc == hex_of(v.at("enc")), "enc");
  check.expect(sender.shared_secret == hex_of(v.at("shared_secret")), "shared_secret");
  Bytes context, secret;
  hpke_key_schedule(in, sender.shared_secret, &context, &secret);
  check.expect(context == hex_of(v.at("key_schedule_context")), "key_schedule_context");
  check.expect(secret == hex_of(v.at("secret")), "secret");
  check.expect(sender.context.key() == hex_of(v.at("key")), "key");
  check.expect(sender.context.base_nonce() == hex_of(v.at("base_nonce")), "base_nonce");
  check.expect(sender.context.exporter_secret() == hex_of(v.at("exporter_secret")),
               "exporter_secret");
  HpkeContext receiver = hpke_setup_receiver(crypto, in, sender.enc, r.private_key, pk_s);
  for (const auto& enc : v.at("encryptions")) {
    const auto seq = enc.at("sequence_number").get<std::uint64_t>();
    const Bytes aad = hex_of(enc.at("aad")), pt = hex_of(enc.at("pt")), ct = hex_of(enc.at("ct"));
    const std::string at = " at sequence " + std::to_string(seq);
    check.expect(sender.context.nonce(seq) == hex_of(enc.at("nonce")), "nonce" + at);
    check.expect(aead_seal(sender.context.key(), sender.context.nonce(seq), aad, pt) == ct,
                 "seal" + at);
    check.expect(aead_open(receiver.key(), receiver.nonce(seq), aad, ct) == pt, "open" + at);
  }
  for (const auto& x : v.at("exports")) {
    check.expect(
        receiver.export_secret(hex_of(x.at("exporter_context")), x.at("L").get<std::size_t>()) ==
            hex_of(x.at("exported_value")),
        "export");
  }
  check.finish();
}

}  // namespace dmlssim::models::mls::vectors
