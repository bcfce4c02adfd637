#include "models/mls/labels.hpp"

#include <algorithm>
#include <array>

#include "models/mls/primitives.hpp"
#include "models/mls/tls_writer.hpp"

namespace dmlssim::models::mls {
namespace {

Bytes mls_label(const std::string& label) {
  return to_bytes("MLS 1.0 " + label);
}

// struct { opaque label<V>; opaque second<V>; } as SignContent, EncryptContext, RefHashInput use.
Bytes labeled_pair(const Bytes& label, const Bytes& second) {
  TlsWriter w(label.size() + second.size() + 8);  // two varints of at most 4 bytes
  w.opaque(label).opaque(second);
  return w.take();
}

}  // namespace

Bytes expand_with_label(const CryptoProvider& crypto, const Bytes& secret, const std::string& label,
                        const Bytes& context, std::uint16_t length) {
  // KDFLabel { uint16 length; opaque label<V> = "MLS 1.0 " + Label; opaque context<V>; }
  constexpr std::string_view kPrefix = "MLS 1.0 ";
  const std::size_t label_size = kPrefix.size() + label.size();
  if (label_size < 64 && context.size() < 64) {
    // Both lengths fit a one-byte varint: the label is built on the stack (the key schedule and
    // the secret tree call this for every secret they derive).
    std::array<std::uint8_t, 2 + 1 + 63 + 1 + 63> buffer;
    std::size_t at = 0;
    buffer[at++] = static_cast<std::uint8_t>(length >> 8);
    buffer[at++] = static_cast<std::uint8_t>(length);
    buffer[at++] = static_cast<std::uint8_t>(label_size);
    at = std::copy(kPrefix.begin(), kPrefix.end(), buffer.begin() + at) - buffer.begin();
    at = std::copy(label.begin(), label.end(), buffer.begin() + at) - buffer.begin();
    buffer[at++] = static_cast<std::uint8_t>(context.size());
    at = std::copy(context.begin(), context.end(), buffer.begin() + at) - buffer.begin();
    return crypto.kdf_expand(secret, ByteView(buffer.data(), at), length);
  }
  TlsWriter kdf_label;
  kdf_label.u16(length).varint(label_size).raw(kPrefix).raw(label);
  kdf_label.opaque(context);
  return crypto.kdf_expand(secret, kdf_label.bytes(), length);
}

Bytes derive_secret(const CryptoProvider& crypto, const Bytes& secret, const std::string& label) {
  return expand_with_label(crypto, secret, label, {}, kHashLength);
}

Bytes derive_tree_secret(const CryptoProvider& crypto, const Bytes& secret,
                         const std::string& label, std::uint32_t generation, std::uint16_t length) {
  TlsWriter context;
  context.u32(generation);
  return expand_with_label(crypto, secret, label, context.bytes(), length);
}

Bytes ref_hash(const std::string& label, const Bytes& value) {
  return sha256(labeled_pair(to_bytes(label), value));
}

Bytes sign_with_label(const CryptoProvider& crypto, const Bytes& key, const std::string& label,
                      const Bytes& content) {
  return crypto.sign(key, labeled_pair(mls_label(label), content));
}

bool verify_with_label(const CryptoProvider& crypto, const Bytes& key, const std::string& label,
                       const Bytes& content, const Bytes& signature) {
  return crypto.verify(key, labeled_pair(mls_label(label), content), signature);
}

LabeledCiphertext encrypt_with_label(const CryptoProvider& crypto, const Bytes& public_key,
                                     const std::string& label, const Bytes& context,
                                     const Bytes& plaintext, const Bytes& ephemeral_seed) {
  auto [enc, ct] = crypto.seal_base(public_key, labeled_pair(mls_label(label), context), {},
                                    plaintext, ephemeral_seed);
  return {std::move(enc), std::move(ct)};
}

Bytes decrypt_with_label(const CryptoProvider& crypto, const Bytes& private_key,
                         const std::string& label, const Bytes& context, const Bytes& kem_output,
                         const Bytes& ciphertext) {
  return crypto.open_base(kem_output, HpkeKeyPair{private_key, crypto.dh_public_key(private_key)},
                          labeled_pair(mls_label(label), context), {}, ciphertext);
}

Bytes decrypt_with_label(const CryptoProvider& crypto, const HpkeKeyPair& key,
                         const std::string& label, const Bytes& context, const Bytes& kem_output,
                         const Bytes& ciphertext) {
  return crypto.open_base(kem_output, key, labeled_pair(mls_label(label), context), {}, ciphertext);
}

}  // namespace dmlssim::models::mls
