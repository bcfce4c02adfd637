// HPKE (RFC 9180) for MLS cipher suite 1: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM,
// in all four modes (base, PSK, auth, auth-PSK). OpenSSL 3.0 has no HPKE API; this composes the
// primitives of primitives.hpp. Randomness is the caller's: the sender passes its ephemeral key
// pair (e.g. hpke_derive_key_pair of random bytes), so simulations stay reproducible.
#pragma once

#include <cstdint>
#include <utility>

#include "models/mls/bytes.hpp"
#include "models/mls/crypto_provider.hpp"

namespace dmlssim::models::mls {

enum class HpkeMode : std::uint8_t { kBase = 0, kPsk = 1, kAuth = 2, kAuthPsk = 3 };

// DeriveKeyPair (RFC 9180 §7.1.3 for X25519).
HpkeKeyPair hpke_derive_key_pair(const CryptoProvider& crypto, const Bytes& ikm);

// Mode inputs: psk and psk_id for the PSK modes (both non-empty), empty otherwise.
struct HpkeInputs {
  HpkeMode mode = HpkeMode::kBase;
  Bytes info;
  Bytes psk;
  Bytes psk_id;
};

// An HPKE encryption context (§5.2): sealing or opening advances the sequence number.
class HpkeContext {
 public:
  HpkeContext(Bytes key, Bytes base_nonce, Bytes exporter_secret);
  Bytes seal(const Bytes& aad, const Bytes& plaintext);
  Bytes open(const Bytes& aad, const Bytes& ciphertext);  // throws CryptoError on a bad tag
  Bytes export_secret(const Bytes& exporter_context, std::size_t length) const;
  const Bytes& key() const { return key_; }
  const Bytes& base_nonce() const { return base_nonce_; }
  const Bytes& exporter_secret() const { return exporter_secret_; }
  Bytes nonce(std::uint64_t sequence) const;

 private:
  Bytes key_, base_nonce_, exporter_secret_;
  std::uint64_t sequence_ = 0;
};

struct HpkeSender {
  Bytes enc;  // the encapsulated key
  Bytes shared_secret;
  HpkeContext context;
};

// `sender_private_key` only in the auth modes.
HpkeSender hpke_setup_sender(const CryptoProvider& crypto, const HpkeInputs& inputs,
                             const Bytes& recipient_public_key, const HpkeKeyPair& ephemeral,
                             const Bytes& sender_private_key = {});
// `sender_public_key` only in the auth modes.
HpkeContext hpke_setup_receiver(const CryptoProvider& crypto, const HpkeInputs& inputs,
                                const Bytes& enc, const Bytes& recipient_private_key,
                                const Bytes& sender_public_key = {});
// The same when the recipient's public key is known (saves deriving it).
HpkeContext hpke_setup_receiver(const CryptoProvider& crypto, const HpkeInputs& inputs,
                                const Bytes& enc, const HpkeKeyPair& recipient,
                                const Bytes& sender_public_key = {});

// The KeySchedule (§5.1), exposed for the test vectors.
HpkeContext hpke_key_schedule(const HpkeInputs& inputs, const Bytes& shared_secret,
                              Bytes* key_schedule_context = nullptr, Bytes* secret = nullptr);

// Single-shot base mode, as MLS uses it (SealBase / OpenBase).
std::pair<Bytes, Bytes> hpke_seal_base(const CryptoProvider& crypto,
                                       const Bytes& recipient_public_key, const Bytes& info,
                                       const Bytes& aad, const Bytes& plaintext,
                                       const HpkeKeyPair& ephemeral);  // (enc, ciphertext)
Bytes hpke_open_base(const CryptoProvider& crypto, const Bytes& enc,
                     const Bytes& recipient_private_key, const Bytes& info, const Bytes& aad,
                     const Bytes& ciphertext);
Bytes hpke_open_base(const CryptoProvider& crypto, const Bytes& enc, const HpkeKeyPair& recipient,
                     const Bytes& info, const Bytes& aad, const Bytes& ciphertext);

}  // namespace dmlssim::models::mls
