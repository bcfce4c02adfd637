// The labeled functions of RFC 9420 §5.1-5.2 and §8 for cipher suite 1: every label gets the
// prefix "MLS 1.0 " except RefHash's, whose callers pass the full label.
#pragma once

#include <string>

#include "models/mls/bytes.hpp"
#include "models/mls/hpke.hpp"

namespace dmlssim::models::mls {

// ExpandWithLabel(Secret, Label, Context, Length) = KDF.Expand(Secret, KDFLabel, Length), with the
// provider's KDF.
Bytes expand_with_label(const CryptoProvider& crypto, const Bytes& secret, const std::string& label,
                        const Bytes& context, std::uint16_t length);
// DeriveSecret(Secret, Label) = ExpandWithLabel(Secret, Label, "", Nh).
Bytes derive_secret(const CryptoProvider& crypto, const Bytes& secret, const std::string& label);
// DeriveTreeSecret(Secret, Label, Generation, Length): the generation as a big-endian uint32.
Bytes derive_tree_secret(const CryptoProvider& crypto, const Bytes& secret,
                         const std::string& label, std::uint32_t generation, std::uint16_t length);
// RefHash(Label, Value) = Hash(RefHashInput{label, value}).
Bytes ref_hash(const std::string& label, const Bytes& value);

Bytes sign_with_label(const CryptoProvider& crypto, const Bytes& signature_private_key,
                      const std::string& label, const Bytes& content);
bool verify_with_label(const CryptoProvider& crypto, const Bytes& signature_public_key,
                       const std::string& label, const Bytes& content, const Bytes& signature);

// EncryptWithLabel: SealBase(public key, EncryptContext{label, context}, "", plaintext).
struct LabeledCiphertext {
  Bytes kem_output;
  Bytes ciphertext;
};
LabeledCiphertext encrypt_with_label(const CryptoProvider& crypto, const Bytes& public_key,
                                     const std::string& label, const Bytes& context,
                                     const Bytes& plaintext, const Bytes& ephemeral_seed);
Bytes decrypt_with_label(const CryptoProvider& crypto, const Bytes& private_key,
                         const std::string& label, const Bytes& context, const Bytes& kem_output,
                         const Bytes& ciphertext);
Bytes decrypt_with_label(const CryptoProvider& crypto, const HpkeKeyPair& key,
                         const std::string& label, const Bytes& context, const Bytes& kem_output,
                         const Bytes& ciphertext);

}  // namespace dmlssim::models::mls
