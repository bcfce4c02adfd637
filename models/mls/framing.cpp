#include "models/mls/framing.hpp"

#include <algorithm>

#include "models/mls/labels.hpp"
#include "models/mls/primitives.hpp"

namespace dmlssim::models::mls {
namespace {

// Room for a commit with a path in a large group without regrowing (bytes; larger ones still fit).
constexpr std::size_t kTypicalTbmCapacity = 4096;

bool includes_context(const Sender& s) {
  return s.type == SenderType::kMember || s.type == SenderType::kNewMemberCommit;
}

// FramedContentAuthData: signature, then the confirmation tag for commits.
void encode_auth(TlsWriter& w, const FramedContent& content, const Bytes& signature,
                 const Bytes& confirmation_tag) {
  w.opaque(signature);
  if (content.content_type() == ContentType::kCommit) w.opaque(confirmation_tag);
}

Bytes sender_data_aad(const PrivateMessage& m) {
  TlsWriter w;
  w.opaque(m.group_id).u64(m.epoch).u8(static_cast<std::uint8_t>(m.content_type));
  return w.take();
}

Bytes content_aad(const PrivateMessage& m) {
  TlsWriter w;
  w.opaque(m.group_id).u64(m.epoch).u8(static_cast<std::uint8_t>(m.content_type));
  w.opaque(m.authenticated_data);
  return w.take();
}

Bytes guarded_nonce(const Bytes& nonce, const std::array<std::uint8_t, 4>& guard) {
  Bytes n = nonce;
  for (std::size_t i = 0; i < 4; ++i)
    n[i] ^= guard[i];
  return n;
}

}  // namespace

const char* to_string(ProtectionError e) {
  static const char* const kNames[] = {"none",
                                       "bad_signature",
                                       "bad_membership_tag",
                                       "undecryptable_sender_data",
                                       "undecryptable_content",
                                       "malformed",
                                       "wrong_sender"};
  return kNames[static_cast<int>(e)];
}

Bytes framed_content_tbs(WireFormat wire_format, const FramedContent& content,
                         const Bytes& group_context) {
  TlsWriter w;
  write_framed_content_tbs(w, wire_format, content, group_context);
  return w.take();
}

void write_framed_content_tbs(TlsWriter& w, WireFormat wire_format, const FramedContent& content,
                              const Bytes& group_context) {
  w.u16(kProtocolVersionMls10).u16(static_cast<std::uint16_t>(wire_format));
  content.encode(w);
  if (includes_context(content.sender)) w.raw(group_context);
}

Bytes sign_framed_content(const CryptoProvider& crypto, WireFormat wire_format,
                          const FramedContent& content, const Bytes& signature_private_key,
                          const Bytes& group_context) {
  return sign_with_label(crypto, signature_private_key, "FramedContentTBS",
                         framed_content_tbs(wire_format, content, group_context));
}

PublicMessage protect_public(const CryptoProvider& crypto, const FramedContent& content,
                             const Bytes& signature_private_key, const Bytes& membership_key,
                             const Bytes& group_context, const Bytes& confirmation_tag) {
  Bytes signature = sign_framed_content(crypto, WireFormat::kPublicMessage, content,
                                        signature_private_key, group_context);
  return seal_public(crypto, content, std::move(signature), membership_key, group_context,
                     confirmation_tag);
}

PublicMessage seal_public(const CryptoProvider& crypto, const FramedContent& content,
                          Bytes signature, const Bytes& membership_key, const Bytes& group_context,
                          const Bytes& confirmation_tag) {
  PublicMessage m;
  m.content = content;
  m.signature = std::move(signature);
  m.confirmation_tag = confirmation_tag;
  if (content.sender.type == SenderType::kMember) {
    // AuthenticatedContentTBM { FramedContentTBS; FramedContentAuthData; }
    TlsWriter tbm(kTypicalTbmCapacity);
    write_framed_content_tbs(tbm, WireFormat::kPublicMessage, content, group_context);
    encode_auth(tbm, content, m.signature, m.confirmation_tag);
    m.membership_tag = crypto.mac(membership_key, tbm.bytes());
  }
  return m;
}

ProtectionError verify_public(const CryptoProvider& crypto, const PublicMessage& m,
                              const Bytes& signature_public_key, const Bytes& membership_key,
                              const Bytes& group_context, Bytes* tbs_out) {
  Bytes local;
  Bytes& tbs = tbs_out != nullptr ? *tbs_out : local;
  // The FramedContentTBS is the front of AuthenticatedContentTBM: written once, MACed with the auth
  // data after it, then cut back to itself.
  TlsWriter w(kTypicalTbmCapacity);
  write_framed_content_tbs(w, WireFormat::kPublicMessage, m.content, group_context);
  const std::size_t tbs_size = w.bytes().size();
  if (m.content.sender.type == SenderType::kMember) {
    encode_auth(w, m.content, m.signature, m.confirmation_tag);
    if (crypto.mac(membership_key, w.bytes()) != m.membership_tag) {
      return ProtectionError::kBadMembershipTag;
    }
  }
  tbs = w.take();
  tbs.resize(tbs_size);
  if (!signature_public_key.empty() &&
      !verify_with_label(crypto, signature_public_key, "FramedContentTBS", tbs, m.signature)) {
    return ProtectionError::kBadSignature;
  }
  return ProtectionError::kNone;
}

bool framed_content_signature_valid(const CryptoProvider& crypto, const Bytes& tbs,
                                    const Bytes& signature, const Bytes& signature_public_key) {
  return verify_with_label(crypto, signature_public_key, "FramedContentTBS", tbs, signature);
}

PrivateMessage protect_private(const CryptoProvider& crypto, const FramedContent& content,
                               const Bytes& signature_private_key, const Bytes& group_context,
                               const Bytes& sender_data_secret, const KeyAndNonce& key,
                               const SenderData& sender, std::size_t padding,
                               const Bytes& confirmation_tag) {
  const Bytes signature = sign_framed_content(crypto, WireFormat::kPrivateMessage, content,
                                              signature_private_key, group_context);
  return seal_private(crypto, content, signature, sender_data_secret, key, sender, padding,
                      confirmation_tag);
}

PrivateMessage seal_private(const CryptoProvider& crypto, const FramedContent& content,
                            const Bytes& signature, const Bytes& sender_data_secret,
                            const KeyAndNonce& key, const SenderData& sender, std::size_t padding,
                            const Bytes& confirmation_tag) {
  if (content.sender.type != SenderType::kMember) {
    throw std::invalid_argument("PrivateMessage: only members send them");
  }
  PrivateMessage m;
  m.group_id = content.group_id;
  m.epoch = content.epoch;
  m.content_type = content.content_type();
  m.authenticated_data = content.authenticated_data;
  // PrivateMessageContent: the content body, the auth data, zero padding.
  TlsWriter plain;
  if (const auto* data = std::get_if<Bytes>(&content.content)) {
    plain.opaque(*data);
  } else if (const auto* proposal = std::get_if<Proposal>(&content.content)) {
    proposal->encode(plain);
  } else {
    std::get<Commit>(content.content).encode(plain);
  }
  encode_auth(plain, content, signature, confirmation_tag);
  plain.raw(Bytes(padding, 0));
  m.ciphertext = aead_seal(key.key, guarded_nonce(key.nonce, sender.reuse_guard), content_aad(m),
                           plain.bytes());
  TlsWriter sender_data;
  sender_data.u32(sender.leaf_index).u32(sender.generation);
  sender_data.raw(Bytes(sender.reuse_guard.begin(), sender.reuse_guard.end()));
  const KeyAndNonce sd = sender_data_key_nonce(crypto, sender_data_secret, m.ciphertext);
  m.encrypted_sender_data = aead_seal(sd.key, sd.nonce, sender_data_aad(m), sender_data.bytes());
  return m;
}

OpenedPrivateMessage open_sender_data(const CryptoProvider& crypto, const PrivateMessage& m,
                                      const Bytes& sender_data_secret) {
  OpenedPrivateMessage out;
  const KeyAndNonce sd = sender_data_key_nonce(crypto, sender_data_secret, m.ciphertext);
  Bytes plain;
  try {
    plain = aead_open(sd.key, sd.nonce, sender_data_aad(m), m.encrypted_sender_data);
  } catch (const CryptoError&) {
    out.error = ProtectionError::kUndecryptableSenderData;
    return out;
  }
  try {
    TlsReader r(plain);
    out.sender.leaf_index = r.u32();
    out.sender.generation = r.u32();
    const Bytes guard = r.raw(4);
    std::copy_n(guard.begin(), out.sender.reuse_guard.size(), out.sender.reuse_guard.begin());
    r.expect_done("SenderData");
  } catch (const DecodeError&) {
    out.error = ProtectionError::kMalformed;
  }
  return out;
}

void open_private_content(const CryptoProvider& crypto, const PrivateMessage& m,
                          const KeyAndNonce& key, const Bytes& signature_public_key,
                          const Bytes& group_context, OpenedPrivateMessage& out) {
  Bytes plain;
  try {
    plain = aead_open(key.key, guarded_nonce(key.nonce, out.sender.reuse_guard), content_aad(m),
                      m.ciphertext);
  } catch (const CryptoError&) {
    out.error = ProtectionError::kUndecryptableContent;
    return;
  }
  try {
    TlsReader r(plain);
    out.content.group_id = m.group_id;
    out.content.epoch = m.epoch;
    out.content.sender = Sender{SenderType::kMember, out.sender.leaf_index};
    out.content.authenticated_data = m.authenticated_data;
    switch (m.content_type) {
      case ContentType::kApplication:
        out.content.content = r.opaque();
        break;
      case ContentType::kProposal:
        out.content.content = Proposal::decode(r);
        break;
      case ContentType::kCommit:
        out.content.content = Commit::decode(r);
        break;
    }
    out.signature = r.opaque();
    if (m.content_type == ContentType::kCommit) out.confirmation_tag = r.opaque();
    // Padding: every remaining byte must be zero.
    for (const std::uint8_t b : r.raw(r.remaining())) {
      if (b != 0) throw DecodeError("PrivateMessageContent: non-zero padding");
    }
  } catch (const DecodeError&) {
    out.error = ProtectionError::kMalformed;
    return;
  }
  if (!signature_public_key.empty() &&
      !verify_with_label(
          crypto, signature_public_key, "FramedContentTBS",
          framed_content_tbs(WireFormat::kPrivateMessage, out.content, group_context),
          out.signature)) {
    out.error = ProtectionError::kBadSignature;
  }
}

}  // namespace dmlssim::models::mls
