#include "models/mls/welcome_builder.hpp"

#include "models/mls/key_package.hpp"
#include "models/mls/labels.hpp"
#include "models/mls/primitives.hpp"
#include "models/mls/tls_writer.hpp"

namespace dmlssim::models::mls {
namespace {

Bytes group_info_tbs(const GroupInfo& info) {
  TlsWriter tbs;
  info.encode_content(tbs);
  return tbs.take();
}

}  // namespace

void sign_group_info_with(const CryptoProvider& crypto, GroupInfo& info,
                          const Bytes& signature_private_key) {
  info.signature =
      sign_with_label(crypto, signature_private_key, "GroupInfoTBS", group_info_tbs(info));
}

bool group_info_signature_valid(const CryptoProvider& crypto, const GroupInfo& info,
                                const Bytes& signature_public_key) {
  return verify_with_label(crypto, signature_public_key, "GroupInfoTBS", group_info_tbs(info),
                           info.signature);
}

Bytes seal_group_info(const CryptoProvider& crypto, const Bytes& welcome_secret,
                      const Bytes& group_info) {
  return aead_seal(expand_with_label(crypto, welcome_secret, "key", {}, kAeadKeyLength),
                   expand_with_label(crypto, welcome_secret, "nonce", {}, kAeadNonceLength), {},
                   group_info);
}

Bytes open_group_info(const CryptoProvider& crypto, const Bytes& welcome_secret,
                      const Bytes& encrypted_group_info) {
  return aead_open(expand_with_label(crypto, welcome_secret, "key", {}, kAeadKeyLength),
                   expand_with_label(crypto, welcome_secret, "nonce", {}, kAeadNonceLength), {},
                   encrypted_group_info);
}

Welcome build_welcome(const CryptoProvider& crypto, Drbg& drbg, const GroupInfo& info,
                      const Bytes& joiner_secret, const Bytes& welcome_secret,
                      const std::vector<WelcomeRecipient>& recipients,
                      const std::vector<PreSharedKeyId>& psks) {
  Welcome w;
  w.encrypted_group_info = seal_group_info(crypto, welcome_secret, encode_one(info));
  for (const WelcomeRecipient& r : recipients) {
    const GroupSecrets secrets{joiner_secret, r.path_secret, psks};
    LabeledCiphertext ct =
        encrypt_with_label(crypto, r.key_package->init_key, "Welcome", w.encrypted_group_info,
                           encode_one(secrets), drbg.bytes(kHashLength));
    w.secrets.push_back(EncryptedGroupSecrets{
        key_package_ref(*r.key_package), {std::move(ct.kem_output), std::move(ct.ciphertext)}});
  }
  return w;
}

}  // namespace dmlssim::models::mls
