#include "models/mls/key_package.hpp"

#include "models/mls/leaf_signature.hpp"

#include "models/mls/hpke.hpp"
#include "models/mls/key_schedule.hpp"
#include "models/mls/labels.hpp"
#include "models/mls/primitives.hpp"

namespace dmlssim::models::mls {

const char* to_string(KeyPackageError e) {
  static const char* const kNames[] = {"none",
                                       "unsupported_version",
                                       "unsupported_cipher_suite",
                                       "bad_leaf_source",
                                       "bad_leaf_signature",
                                       "bad_signature",
                                       "same_init_and_encryption_key"};
  return kNames[static_cast<int>(e)];
}

KeyPackage make_key_package(const CryptoProvider& crypto, const Bytes& identity,
                            const Bytes& init_seed, const Bytes& encryption_seed,
                            const Bytes& signature_seed, Lifetime lifetime,
                            KeyPackageSecrets* secrets) {
  const HpkeKeyPair init = crypto.derive_key_pair(init_seed);
  const HpkeKeyPair encryption = crypto.derive_key_pair(encryption_seed);
  const Bytes signature_private = sha256(signature_seed);  // any 32 bytes are an Ed25519 key
  KeyPackage kp;
  kp.init_key = init.public_key;
  LeafNode& leaf = kp.leaf_node;
  leaf.encryption_key = encryption.public_key;
  leaf.signature_key = crypto.signature_public_key(signature_private);
  leaf.credential.type = Credential::kBasic;
  leaf.credential.identity = identity;
  leaf.capabilities.versions = {kProtocolVersionMls10};
  leaf.capabilities.cipher_suites = {kCipherSuite1};
  leaf.capabilities.credentials = {Credential::kBasic};
  leaf.source = LeafNodeSource::kKeyPackage;
  leaf.lifetime = lifetime;
  sign_leaf_node(crypto, leaf, signature_private);
  TlsWriter tbs;
  kp.encode_content(tbs);
  kp.signature = sign_with_label(crypto, signature_private, "KeyPackageTBS", tbs.bytes());
  if (secrets != nullptr) *secrets = {init.private_key, encryption.private_key, signature_private};
  return kp;
}

KeyPackageError check_key_package(const CryptoProvider& crypto, const KeyPackage& kp) {
  if (kp.version != kProtocolVersionMls10) return KeyPackageError::kUnsupportedVersion;
  if (kp.cipher_suite != kCipherSuite1) return KeyPackageError::kUnsupportedCipherSuite;
  if (kp.leaf_node.source != LeafNodeSource::kKeyPackage) return KeyPackageError::kBadLeafSource;
  if (!leaf_node_signature_valid(crypto, kp.leaf_node)) {
    return KeyPackageError::kBadLeafSignature;
  }
  TlsWriter tbs;
  kp.encode_content(tbs);
  if (!verify_with_label(crypto, kp.leaf_node.signature_key, "KeyPackageTBS", tbs.bytes(),
                         kp.signature)) {
    return KeyPackageError::kBadSignature;
  }
  if (kp.init_key == kp.leaf_node.encryption_key) return KeyPackageError::kSameInitAndEncryptionKey;
  return KeyPackageError::kNone;
}

Bytes key_package_ref(const KeyPackage& kp) {
  return ref_hash("MLS 1.0 KeyPackage Reference", encode_one(kp));
}

}  // namespace dmlssim::models::mls
