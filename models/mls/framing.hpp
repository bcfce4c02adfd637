// Message protection (RFC 9420 §6): signing and MACing PublicMessages, encrypting and decrypting
// PrivateMessages (sender data, content, reuse guard, padding). Stateless helpers; the group
// state machine owns the secret-tree ratchets and passes in the keys it uses.
#pragma once

#include <array>

#include "models/mls/key_schedule.hpp"
#include "models/mls/secret_tree.hpp"
#include "models/mls/wire_messages.hpp"

namespace dmlssim::models::mls {

// FramedContentTBS for `wire_format`; `group_context` (encoded) is included for member and
// new-member-commit senders.
Bytes framed_content_tbs(WireFormat wire_format, const FramedContent& content,
                         const Bytes& group_context);
void write_framed_content_tbs(TlsWriter& w, WireFormat wire_format, const FramedContent& content,
                              const Bytes& group_context);

// SignWithLabel(., "FramedContentTBS", FramedContentTBS).
Bytes sign_framed_content(const CryptoProvider& crypto, WireFormat wire_format,
                          const FramedContent& content, const Bytes& signature_private_key,
                          const Bytes& group_context);

// The message around an already signed `content` (a commit's signature comes before its
// confirmation tag): adds the confirmation tag (commits) and the membership tag (members).
PublicMessage seal_public(const CryptoProvider& crypto, const FramedContent& content,
                          Bytes signature, const Bytes& membership_key, const Bytes& group_context,
                          const Bytes& confirmation_tag = {});

// Signs `content`, adds the confirmation tag (commits) and the membership tag (members).
PublicMessage protect_public(const CryptoProvider& crypto, const FramedContent& content,
                             const Bytes& signature_private_key, const Bytes& membership_key,
                             const Bytes& group_context, const Bytes& confirmation_tag = {});

enum class ProtectionError {
  kNone,
  kBadSignature,
  kBadMembershipTag,
  kUndecryptableSenderData,
  kUndecryptableContent,
  kMalformed,
  kWrongSender,
};
const char* to_string(ProtectionError e);

// An empty `signature_public_key` skips the signature (the caller checks it, or knows it valid).
// `tbs_out`, when given, receives the FramedContentTBS (to check the signature later).
ProtectionError verify_public(const CryptoProvider& crypto, const PublicMessage& message,
                              const Bytes& signature_public_key, const Bytes& membership_key,
                              const Bytes& group_context, Bytes* tbs_out = nullptr);

// The signature over an encoded FramedContentTBS.
bool framed_content_signature_valid(const CryptoProvider& crypto, const Bytes& tbs,
                                    const Bytes& signature, const Bytes& signature_public_key);

struct SenderData {
  std::uint32_t leaf_index = 0;
  std::uint32_t generation = 0;
  std::array<std::uint8_t, 4> reuse_guard{};
};

// Encrypts `content` (a member's) with the ratchet key and nonce of `sender.generation`.
PrivateMessage protect_private(const CryptoProvider& crypto, const FramedContent& content,
                               const Bytes& signature_private_key, const Bytes& group_context,
                               const Bytes& sender_data_secret, const KeyAndNonce& key,
                               const SenderData& sender, std::size_t padding = 0,
                               const Bytes& confirmation_tag = {});

// As protect_private, with the signature already made.
PrivateMessage seal_private(const CryptoProvider& crypto, const FramedContent& content,
                            const Bytes& signature, const Bytes& sender_data_secret,
                            const KeyAndNonce& key, const SenderData& sender,
                            std::size_t padding = 0, const Bytes& confirmation_tag = {});

struct OpenedPrivateMessage {
  ProtectionError error = ProtectionError::kNone;
  SenderData sender;
  FramedContent content;
  Bytes signature;
  Bytes confirmation_tag;
};
// Step 1: the sender data, to pick the ratchet key.
OpenedPrivateMessage open_sender_data(const CryptoProvider& crypto, const PrivateMessage& message,
                                      const Bytes& sender_data_secret);
// Step 2: the content with that key (then the signature, against the sender's key).
// (An empty `signature_public_key` skips the signature, as in verify_public.)
void open_private_content(const CryptoProvider& crypto, const PrivateMessage& message,
                          const KeyAndNonce& key, const Bytes& signature_public_key,
                          const Bytes& group_context, OpenedPrivateMessage& opened);

}  // namespace dmlssim::models::mls
