#include "models/mls/key_schedule.hpp"

#include "models/mls/labels.hpp"
#include "models/mls/primitives.hpp"
#include "models/mls/tls_writer.hpp"

namespace dmlssim::models::mls {

Bytes GroupContext::encode() const {
  TlsWriter w;
  w.u16(version).u16(cipher_suite).opaque(group_id).u64(epoch).opaque(tree_hash);
  w.opaque(confirmed_transcript_hash);
  encode_vector(w, extensions);
  return w.take();
}

namespace {

void derive_from_epoch_secret(const CryptoProvider& crypto, EpochSecrets& s) {
  s.sender_data_secret = derive_secret(crypto, s.epoch_secret, "sender data");
  s.encryption_secret = derive_secret(crypto, s.epoch_secret, "encryption");
  s.exporter_secret = derive_secret(crypto, s.epoch_secret, "exporter");
  s.external_secret = derive_secret(crypto, s.epoch_secret, "external");
  s.confirmation_key = derive_secret(crypto, s.epoch_secret, "confirm");
  s.membership_key = derive_secret(crypto, s.epoch_secret, "membership");
  s.resumption_psk = derive_secret(crypto, s.epoch_secret, "resumption");
  s.epoch_authenticator = derive_secret(crypto, s.epoch_secret, "authentication");
  s.init_secret = derive_secret(crypto, s.epoch_secret, "init");
}

}  // namespace

HpkeKeyPair external_key_pair(const CryptoProvider& crypto, const EpochSecrets& secrets) {
  return crypto.derive_key_pair(secrets.external_secret);
}

EpochSecrets derive_epoch_secrets_from_joiner(const CryptoProvider& crypto,
                                              const Bytes& joiner_secret, const Bytes& psk,
                                              const Bytes& group_context) {
  EpochSecrets s;
  s.joiner_secret = joiner_secret;
  const Bytes member = crypto.kdf_extract(joiner_secret, psk);
  s.welcome_secret = derive_secret(crypto, member, "welcome");
  s.epoch_secret = expand_with_label(crypto, member, "epoch", group_context, kHashLength);
  derive_from_epoch_secret(crypto, s);
  return s;
}

EpochSecrets derive_epoch_secrets(const CryptoProvider& crypto, const Bytes& init_secret,
                                  const Bytes& commit_secret, const Bytes& psk,
                                  const Bytes& group_context) {
  const Bytes joiner = expand_with_label(crypto, crypto.kdf_extract(init_secret, commit_secret),
                                         "joiner", group_context, kHashLength);
  return derive_epoch_secrets_from_joiner(crypto, joiner, psk, group_context);
}

Bytes mls_export(const CryptoProvider& crypto, const Bytes& exporter_secret,
                 const std::string& label, const Bytes& context, std::uint16_t length) {
  return expand_with_label(crypto, derive_secret(crypto, exporter_secret, label), "exported",
                           sha256(context), length);
}

Bytes psk_secret(const CryptoProvider& crypto, const std::vector<ExternalPsk>& psks) {
  std::vector<EncodedPsk> encoded;
  for (const ExternalPsk& p : psks) {
    // PreSharedKeyID with PSKType external = 1.
    TlsWriter id;
    id.u8(1).opaque(p.psk_id).opaque(p.psk_nonce);
    encoded.push_back({id.take(), p.psk});
  }
  return psk_secret(crypto, encoded);
}

Bytes psk_secret(const CryptoProvider& crypto, const std::vector<EncodedPsk>& psks) {
  Bytes secret(kHashLength, 0);
  const Bytes zero(kHashLength, 0);
  for (std::size_t i = 0; i < psks.size(); ++i) {
    // PSKLabel { PreSharedKeyID id; uint16 index; uint16 count; }
    TlsWriter label;
    label.raw(psks[i].id);
    label.u16(static_cast<std::uint16_t>(i)).u16(static_cast<std::uint16_t>(psks.size()));
    const Bytes extracted = crypto.kdf_extract(zero, psks[i].psk);
    const Bytes input =
        expand_with_label(crypto, extracted, "derived psk", label.bytes(), kHashLength);
    secret = crypto.kdf_extract(input, secret);
  }
  return secret;
}

}  // namespace dmlssim::models::mls
