#include "models/mls/hpke.hpp"

#include "models/mls/primitives.hpp"

namespace dmlssim::models::mls {
namespace {

constexpr std::uint16_t kKemId = 0x0020;
constexpr std::uint16_t kKdfId = 0x0001;
constexpr std::uint16_t kAeadId = 0x0001;

void append_u16(Bytes& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v & 0xff));
}

Bytes kem_suite_id() {
  Bytes id = to_bytes("KEM");
  append_u16(id, kKemId);
  return id;
}

Bytes hpke_suite_id() {
  Bytes id = to_bytes("HPKE");
  append_u16(id, kKemId);
  append_u16(id, kKdfId);
  append_u16(id, kAeadId);
  return id;
}

// LabeledExtract / LabeledExpand (§4).
Bytes labeled_extract(const Bytes& suite_id, const Bytes& salt, const char* label,
                      const Bytes& ikm) {
  Bytes labeled;
  labeled.reserve(64 + ikm.size());
  append(labeled, to_bytes("HPKE-v1"));
  append(labeled, suite_id);
  append(labeled, to_bytes(label));
  append(labeled, ikm);
  return hkdf_extract(salt, labeled);
}

Bytes labeled_expand(const Bytes& suite_id, const Bytes& prk, const char* label, const Bytes& info,
                     std::size_t length) {
  Bytes labeled;
  labeled.reserve(64 + info.size());
  append_u16(labeled, static_cast<std::uint16_t>(length));
  append(labeled, to_bytes("HPKE-v1"));
  append(labeled, suite_id);
  append(labeled, to_bytes(label));
  append(labeled, info);
  return hkdf_expand(prk, labeled, length);
}

Bytes extract_and_expand(const Bytes& dh, const Bytes& kem_context) {
  const Bytes suite = kem_suite_id();
  const Bytes prk = labeled_extract(suite, {}, "eae_prk", dh);
  return labeled_expand(suite, prk, "shared_secret", kem_context, kHashLength);
}

bool is_auth(HpkeMode m) {
  return m == HpkeMode::kAuth || m == HpkeMode::kAuthPsk;
}
bool is_psk(HpkeMode m) {
  return m == HpkeMode::kPsk || m == HpkeMode::kAuthPsk;
}

}  // namespace

HpkeKeyPair hpke_derive_key_pair(const CryptoProvider& crypto, const Bytes& ikm) {
  const Bytes suite = kem_suite_id();
  const Bytes prk = labeled_extract(suite, {}, "dkp_prk", ikm);
  Bytes sk = labeled_expand(suite, prk, "sk", {}, kX25519Length);
  Bytes pk = crypto.dh_public_key(sk);
  return {std::move(sk), std::move(pk)};
}

HpkeContext::HpkeContext(Bytes key, Bytes base_nonce, Bytes exporter_secret)
    : key_(std::move(key)),
      base_nonce_(std::move(base_nonce)),
      exporter_secret_(std::move(exporter_secret)) {}

Bytes HpkeContext::nonce(std::uint64_t sequence) const {
  Bytes n = base_nonce_;
  for (std::size_t i = 0; i < 8; ++i) {
    n[n.size() - 1 - i] ^= static_cast<std::uint8_t>(sequence >> (8 * i));
  }
  return n;
}

Bytes HpkeContext::seal(const Bytes& aad, const Bytes& plaintext) {
  Bytes ct = aead_seal(key_, nonce(sequence_), aad, plaintext);
  ++sequence_;
  return ct;
}

Bytes HpkeContext::open(const Bytes& aad, const Bytes& ciphertext) {
  Bytes pt = aead_open(key_, nonce(sequence_), aad, ciphertext);
  ++sequence_;
  return pt;
}

Bytes HpkeContext::export_secret(const Bytes& exporter_context, std::size_t length) const {
  return labeled_expand(hpke_suite_id(), exporter_secret_, "sec", exporter_context, length);
}

HpkeContext hpke_key_schedule(const HpkeInputs& in, const Bytes& shared_secret,
                              Bytes* key_schedule_context, Bytes* secret_out) {
  if (is_psk(in.mode) != !in.psk.empty() || in.psk.empty() != in.psk_id.empty()) {
    throw CryptoError("HPKE: psk and psk_id must be given in the PSK modes and only there");
  }
  const Bytes suite = hpke_suite_id();
  Bytes context{static_cast<std::uint8_t>(in.mode)};
  append(context, labeled_extract(suite, {}, "psk_id_hash", in.psk_id));
  append(context, labeled_extract(suite, {}, "info_hash", in.info));
  const Bytes secret = labeled_extract(suite, shared_secret, "secret", in.psk);
  if (key_schedule_context != nullptr) *key_schedule_context = context;
  if (secret_out != nullptr) *secret_out = secret;
  return HpkeContext(labeled_expand(suite, secret, "key", context, kAeadKeyLength),
                     labeled_expand(suite, secret, "base_nonce", context, kAeadNonceLength),
                     labeled_expand(suite, secret, "exp", context, kHashLength));
}

HpkeSender hpke_setup_sender(const CryptoProvider& crypto, const HpkeInputs& in, const Bytes& pk_r,
                             const HpkeKeyPair& ephemeral, const Bytes& sk_s) {
  Bytes dh = crypto.dh(ephemeral.private_key, pk_r);
  Bytes kem_context = ephemeral.public_key;
  append(kem_context, pk_r);
  if (is_auth(in.mode)) {
    if (sk_s.empty()) throw CryptoError("HPKE auth mode needs the sender's private key");
    append(dh, crypto.dh(sk_s, pk_r));
    append(kem_context, crypto.dh_public_key(sk_s));
  }
  Bytes shared = extract_and_expand(dh, kem_context);
  HpkeContext ctx = hpke_key_schedule(in, shared);
  return {ephemeral.public_key, std::move(shared), std::move(ctx)};
}

HpkeContext hpke_setup_receiver(const CryptoProvider& crypto, const HpkeInputs& in,
                                const Bytes& enc, const Bytes& sk_r, const Bytes& pk_s) {
  return hpke_setup_receiver(crypto, in, enc, HpkeKeyPair{sk_r, crypto.dh_public_key(sk_r)}, pk_s);
}

HpkeContext hpke_setup_receiver(const CryptoProvider& crypto, const HpkeInputs& in,
                                const Bytes& enc, const HpkeKeyPair& recipient, const Bytes& pk_s) {
  const Bytes& sk_r = recipient.private_key;
  Bytes dh = crypto.dh(sk_r, enc);
  Bytes kem_context = enc;
  append(kem_context, recipient.public_key);
  if (is_auth(in.mode)) {
    if (pk_s.empty()) throw CryptoError("HPKE auth mode needs the sender's public key");
    append(dh, crypto.dh(sk_r, pk_s));
    append(kem_context, pk_s);
  }
  return hpke_key_schedule(in, extract_and_expand(dh, kem_context));
}

std::pair<Bytes, Bytes> hpke_seal_base(const CryptoProvider& crypto, const Bytes& pk_r,
                                       const Bytes& info, const Bytes& aad, const Bytes& plaintext,
                                       const HpkeKeyPair& ephemeral) {
  HpkeSender sender =
      hpke_setup_sender(crypto, HpkeInputs{HpkeMode::kBase, info, {}, {}}, pk_r, ephemeral);
  Bytes ct = sender.context.seal(aad, plaintext);
  return {std::move(sender.enc), std::move(ct)};
}

Bytes hpke_open_base(const CryptoProvider& crypto, const Bytes& enc, const Bytes& sk_r,
                     const Bytes& info, const Bytes& aad, const Bytes& ciphertext) {
  return hpke_open_base(crypto, enc, HpkeKeyPair{sk_r, crypto.dh_public_key(sk_r)}, info, aad,
                        ciphertext);
}

Bytes hpke_open_base(const CryptoProvider& crypto, const Bytes& enc, const HpkeKeyPair& recipient,
                     const Bytes& info, const Bytes& aad, const Bytes& ciphertext) {
  HpkeContext ctx =
      hpke_setup_receiver(crypto, HpkeInputs{HpkeMode::kBase, info, {}, {}}, enc, recipient);
  return ctx.open(aad, ciphertext);
}

}  // namespace dmlssim::models::mls
