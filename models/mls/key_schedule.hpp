// The MLS key schedule (RFC 9420 §8): GroupContext, the secrets of an epoch, the exporter, and the
// PSK secret (§8.4).
#pragma once

#include <string>
#include <vector>

#include "models/mls/bytes.hpp"
#include "models/mls/hpke.hpp"
#include "models/mls/wire_types.hpp"

namespace dmlssim::models::mls {

inline constexpr std::uint16_t kProtocolVersionMls10 = 1;
inline constexpr std::uint16_t kCipherSuite1 = 1;

struct GroupContext {
  std::uint16_t version = kProtocolVersionMls10;
  std::uint16_t cipher_suite = kCipherSuite1;
  Bytes group_id;
  std::uint64_t epoch = 0;
  Bytes tree_hash;
  Bytes confirmed_transcript_hash;
  std::vector<Extension> extensions;

  Bytes encode() const;
};

struct EpochSecrets {
  Bytes joiner_secret, welcome_secret, epoch_secret;
  Bytes sender_data_secret, encryption_secret, exporter_secret, external_secret;
  Bytes confirmation_key, membership_key, resumption_psk, epoch_authenticator;
  Bytes init_secret;  // the next epoch's
};

// The epoch's external key pair: KEM.DeriveKeyPair(external_secret) (§8.3).
HpkeKeyPair external_key_pair(const CryptoProvider& crypto, const EpochSecrets& secrets);

// From the previous epoch's init_secret, this epoch's commit_secret and psk_secret (both Nh zero
// bytes when absent) and the encoded GroupContext of the new epoch.
EpochSecrets derive_epoch_secrets(const CryptoProvider& crypto, const Bytes& init_secret,
                                  const Bytes& commit_secret, const Bytes& psk_secret,
                                  const Bytes& group_context);

// For a member joining by Welcome: the epoch from the joiner_secret.
EpochSecrets derive_epoch_secrets_from_joiner(const CryptoProvider& crypto,
                                              const Bytes& joiner_secret, const Bytes& psk_secret,
                                              const Bytes& group_context);

// MLS-Exporter(Label, Context, Length).
Bytes mls_export(const CryptoProvider& crypto, const Bytes& exporter_secret,
                 const std::string& label, const Bytes& context, std::uint16_t length);

// An external pre-shared key as PreSharedKeyID carries it.
struct ExternalPsk {
  Bytes psk_id;
  Bytes psk_nonce;
  Bytes psk;
};
// psk_secret over the PSKs of a commit, in order (§8.4); Nh zero bytes for none.
Bytes psk_secret(const CryptoProvider& crypto, const std::vector<ExternalPsk>& psks);
// The same over any PSK type: the encoded PreSharedKeyID and the PSK's value.
struct EncodedPsk {
  Bytes id;
  Bytes psk;
};
Bytes psk_secret(const CryptoProvider& crypto, const std::vector<EncodedPsk>& psks);

}  // namespace dmlssim::models::mls
