// Welcome messages (RFC 9420 §12.4.3.1): signing a GroupInfo, encrypting it under the
// welcome_secret, and the GroupSecrets of each joiner under its KeyPackage's init key.
#pragma once

#include <optional>
#include <vector>

#include "models/mls/crypto_provider.hpp"
#include "models/mls/drbg.hpp"
#include "models/mls/wire_messages.hpp"

namespace dmlssim::models::mls {

void sign_group_info_with(const CryptoProvider& crypto, GroupInfo& info,
                          const Bytes& signature_private_key);
bool group_info_signature_valid(const CryptoProvider& crypto, const GroupInfo& info,
                                const Bytes& signature_public_key);

struct WelcomeRecipient {
  const KeyPackage* key_package;
  std::optional<Bytes> path_secret;  // of the lowest common ancestor with the committer
};

Welcome build_welcome(const CryptoProvider& crypto, Drbg& drbg, const GroupInfo& info,
                      const Bytes& joiner_secret, const Bytes& welcome_secret,
                      const std::vector<WelcomeRecipient>& recipients,
                      const std::vector<PreSharedKeyId>& psks);

// AEAD of the GroupInfo: key and nonce from welcome_secret. `open` throws CryptoError.
Bytes seal_group_info(const CryptoProvider& crypto, const Bytes& welcome_secret,
                      const Bytes& group_info);
Bytes open_group_info(const CryptoProvider& crypto, const Bytes& welcome_secret,
                      const Bytes& encrypted_group_info);

}  // namespace dmlssim::models::mls
