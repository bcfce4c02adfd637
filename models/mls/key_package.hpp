// KeyPackages (RFC 9420 §10): creating a signed one, and the checks a member makes before adding
// it (version, suite, signatures of the package and its leaf node, distinct init and encryption
// keys, a key_package leaf source).
#pragma once

#include "models/mls/crypto_provider.hpp"
#include "models/mls/wire_types.hpp"

namespace dmlssim::models::mls {

// The private keys behind a KeyPackage.
struct KeyPackageSecrets {
  Bytes init_private_key;
  Bytes encryption_private_key;
  Bytes signature_private_key;
};

// A KeyPackage for `identity` (a basic credential) from 32-byte seeds for the three key pairs
// (callers draw them from their random stream, so runs stay reproducible).
KeyPackage make_key_package(const CryptoProvider& crypto, const Bytes& identity,
                            const Bytes& init_seed, const Bytes& encryption_seed,
                            const Bytes& signature_seed, Lifetime lifetime,
                            KeyPackageSecrets* secrets = nullptr);

enum class KeyPackageError : std::uint8_t {
  kNone,
  kUnsupportedVersion,
  kUnsupportedCipherSuite,
  kBadLeafSource,
  kBadLeafSignature,
  kBadSignature,
  kSameInitAndEncryptionKey,
};
const char* to_string(KeyPackageError e);
KeyPackageError check_key_package(const CryptoProvider& crypto, const KeyPackage& key_package);

// KeyPackageRef = RefHash("MLS 1.0 KeyPackage Reference", KeyPackage).
Bytes key_package_ref(const KeyPackage& key_package);

}  // namespace dmlssim::models::mls
