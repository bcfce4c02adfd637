#include "models/mls/wire_messages.hpp"

#include <string>

namespace dmlssim::models::mls {
namespace {

[[noreturn]] void bad(const std::string& what) {
  throw DecodeError(what);
}

bool read_flag(TlsReader& r, const char* what) {
  const std::uint8_t present = r.u8();
  if (present > 1) bad(std::string(what) + ": presence byte " + std::to_string(present));
  return present == 1;
}

}  // namespace

void PreSharedKeyId::encode(TlsWriter& w) const {
  w.u8(type);
  if (type == kExternal) {
    w.opaque(psk_id);
  } else {
    w.u8(usage).opaque(psk_group_id).u64(psk_epoch);
  }
  w.opaque(psk_nonce);
}

PreSharedKeyId PreSharedKeyId::decode(TlsReader& r) {
  PreSharedKeyId p;
  p.type = r.u8();
  if (p.type == kExternal) {
    p.psk_id = r.opaque();
  } else if (p.type == kResumption) {
    p.usage = r.u8();
    if (p.usage < 1 || p.usage > 3)
      bad("PreSharedKeyID: unknown resumption usage " + std::to_string(p.usage));
    p.psk_group_id = r.opaque();
    p.psk_epoch = r.u64();
  } else {
    bad("PreSharedKeyID: unknown PSK type " + std::to_string(p.type));
  }
  p.psk_nonce = r.opaque();
  return p;
}

void Proposal::encode_body(TlsWriter& w) const {
  if (const auto* add = std::get_if<AddProposal>(&body)) {
    add->key_package.encode(w);
  } else if (const auto* update = std::get_if<UpdateProposal>(&body)) {
    update->leaf_node.encode(w);
  } else if (const auto* remove = std::get_if<RemoveProposal>(&body)) {
    w.u32(remove->removed);
  } else if (const auto* psk = std::get_if<PreSharedKeyProposal>(&body)) {
    psk->psk.encode(w);
  } else if (const auto* reinit = std::get_if<ReInitProposal>(&body)) {
    w.opaque(reinit->group_id).u16(reinit->version).u16(reinit->cipher_suite);
    encode_vector(w, reinit->extensions);
  } else if (const auto* init = std::get_if<ExternalInitProposal>(&body)) {
    w.opaque(init->kem_output);
  } else {
    encode_vector(w, std::get<GroupContextExtensionsProposal>(body).extensions);
  }
}

void Proposal::encode(TlsWriter& w) const {
  w.u16(static_cast<std::uint16_t>(type()));
  encode_body(w);
}

Proposal Proposal::decode_body(ProposalType type, TlsReader& r) {
  Proposal p;
  switch (type) {
    case ProposalType::kAdd:
      p.body = AddProposal{KeyPackage::decode(r)};
      break;
    case ProposalType::kUpdate:
      p.body = UpdateProposal{LeafNode::decode(r)};
      break;
    case ProposalType::kRemove:
      p.body = RemoveProposal{r.u32()};
      break;
    case ProposalType::kPreSharedKey:
      p.body = PreSharedKeyProposal{PreSharedKeyId::decode(r)};
      break;
    case ProposalType::kReInit: {
      ReInitProposal reinit;
      reinit.group_id = r.opaque();
      reinit.version = r.u16();
      reinit.cipher_suite = r.u16();
      reinit.extensions = decode_vector<Extension>(r);
      p.body = std::move(reinit);
      break;
    }
    case ProposalType::kExternalInit:
      p.body = ExternalInitProposal{r.opaque()};
      break;
    case ProposalType::kGroupContextExtensions:
      p.body = GroupContextExtensionsProposal{decode_vector<Extension>(r)};
      break;
    default:
      bad("Proposal: unknown proposal type " + std::to_string(static_cast<int>(type)));
  }
  return p;
}

Proposal Proposal::decode(TlsReader& r) {
  const auto type = static_cast<ProposalType>(r.u16());
  return decode_body(type, r);
}

void ProposalOrRef::encode(TlsWriter& w) const {
  if (const auto* p = std::get_if<Proposal>(&value)) {
    w.u8(1);
    p->encode(w);
  } else {
    w.u8(2).opaque(std::get<Bytes>(value));
  }
}

ProposalOrRef ProposalOrRef::decode(TlsReader& r) {
  const std::uint8_t type = r.u8();
  if (type == 1) return ProposalOrRef{Proposal::decode(r)};
  if (type == 2) return ProposalOrRef{r.opaque()};
  bad("ProposalOrRef: unknown type " + std::to_string(type));
}

void Commit::encode(TlsWriter& w) const {
  encode_vector(w, proposals);
  w.u8(path ? 1 : 0);
  if (path) path->encode(w);
}

Commit Commit::decode(TlsReader& r) {
  Commit c;
  c.proposals = decode_vector<ProposalOrRef>(r);
  if (read_flag(r, "Commit.path")) c.path = UpdatePath::decode(r);
  return c;
}

void Sender::encode(TlsWriter& w) const {
  w.u8(static_cast<std::uint8_t>(type));
  if (type == SenderType::kMember || type == SenderType::kExternal) w.u32(index);
}

Sender Sender::decode(TlsReader& r) {
  Sender s;
  const std::uint8_t type = r.u8();
  if (type < 1 || type > 4) bad("Sender: unknown sender type " + std::to_string(type));
  s.type = static_cast<SenderType>(type);
  if (s.type == SenderType::kMember || s.type == SenderType::kExternal) s.index = r.u32();
  return s;
}

void FramedContent::encode(TlsWriter& w) const {
  w.opaque(group_id).u64(epoch);
  sender.encode(w);
  w.opaque(authenticated_data).u8(static_cast<std::uint8_t>(content_type()));
  if (const auto* data = std::get_if<Bytes>(&content)) {
    w.opaque(*data);
  } else if (const auto* proposal = std::get_if<Proposal>(&content)) {
    proposal->encode(w);
  } else {
    std::get<Commit>(content).encode(w);
  }
}

FramedContent FramedContent::decode(TlsReader& r) {
  FramedContent f;
  f.group_id = r.opaque();
  f.epoch = r.u64();
  f.sender = Sender::decode(r);
  f.authenticated_data = r.opaque();
  const std::uint8_t type = r.u8();
  if (type == 1) {
    f.content = r.opaque();
  } else if (type == 2) {
    f.content = Proposal::decode(r);
  } else if (type == 3) {
    f.content = Commit::decode(r);
  } else {
    bad("FramedContent: unknown content type " + std::to_string(type));
  }
  return f;
}

void PublicMessage::encode(TlsWriter& w) const {
  content.encode(w);
  w.opaque(signature);
  if (content.content_type() == ContentType::kCommit) w.opaque(confirmation_tag);
  if (content.sender.type == SenderType::kMember) w.opaque(membership_tag);
}

PublicMessage PublicMessage::decode(TlsReader& r) {
  PublicMessage m;
  m.content = FramedContent::decode(r);
  m.signature = r.opaque();
  if (m.content.content_type() == ContentType::kCommit) m.confirmation_tag = r.opaque();
  if (m.content.sender.type == SenderType::kMember) m.membership_tag = r.opaque();
  return m;
}

void PrivateMessage::encode(TlsWriter& w) const {
  w.opaque(group_id).u64(epoch).u8(static_cast<std::uint8_t>(content_type));
  w.opaque(authenticated_data).opaque(encrypted_sender_data).opaque(ciphertext);
}

PrivateMessage PrivateMessage::decode(TlsReader& r) {
  PrivateMessage m;
  m.group_id = r.opaque();
  m.epoch = r.u64();
  const std::uint8_t type = r.u8();
  if (type < 1 || type > 3) bad("PrivateMessage: unknown content type " + std::to_string(type));
  m.content_type = static_cast<ContentType>(type);
  m.authenticated_data = r.opaque();
  m.encrypted_sender_data = r.opaque();
  m.ciphertext = r.opaque();
  return m;
}

void GroupSecrets::encode(TlsWriter& w) const {
  w.opaque(joiner_secret).u8(path_secret ? 1 : 0);
  if (path_secret) w.opaque(*path_secret);
  encode_vector(w, psks);
}

GroupSecrets GroupSecrets::decode(TlsReader& r) {
  GroupSecrets g;
  g.joiner_secret = r.opaque();
  if (read_flag(r, "GroupSecrets.path_secret")) g.path_secret = r.opaque();
  g.psks = decode_vector<PreSharedKeyId>(r);
  return g;
}

void EncryptedGroupSecrets::encode(TlsWriter& w) const {
  w.opaque(new_member);
  encrypted_group_secrets.encode(w);
}

EncryptedGroupSecrets EncryptedGroupSecrets::decode(TlsReader& r) {
  EncryptedGroupSecrets e;
  e.new_member = r.opaque();
  e.encrypted_group_secrets = HpkeCiphertext::decode(r);
  return e;
}

void Welcome::encode(TlsWriter& w) const {
  w.u16(cipher_suite);
  encode_vector(w, secrets);
  w.opaque(encrypted_group_info);
}

Welcome Welcome::decode(TlsReader& r) {
  Welcome wl;
  wl.cipher_suite = r.u16();
  wl.secrets = decode_vector<EncryptedGroupSecrets>(r);
  wl.encrypted_group_info = r.opaque();
  return wl;
}

GroupContext decode_group_context(TlsReader& r) {
  GroupContext g;
  g.version = r.u16();
  g.cipher_suite = r.u16();
  g.group_id = r.opaque();
  g.epoch = r.u64();
  g.tree_hash = r.opaque();
  g.confirmed_transcript_hash = r.opaque();
  g.extensions = decode_vector<Extension>(r);
  return g;
}

void GroupInfo::encode_content(TlsWriter& w) const {
  w.raw(group_context.encode());
  encode_vector(w, extensions);
  w.opaque(confirmation_tag).u32(signer);
}

void GroupInfo::encode(TlsWriter& w) const {
  encode_content(w);
  w.opaque(signature);
}

GroupInfo GroupInfo::decode(TlsReader& r) {
  GroupInfo g;
  g.group_context = decode_group_context(r);
  g.extensions = decode_vector<Extension>(r);
  g.confirmation_tag = r.opaque();
  g.signer = r.u32();
  g.signature = r.opaque();
  return g;
}

void MlsMessage::encode(TlsWriter& w) const {
  w.u16(version).u16(static_cast<std::uint16_t>(wire_format()));
  std::visit([&w](const auto& m) { m.encode(w); }, body);
}

MlsMessage MlsMessage::decode(TlsReader& r) {
  MlsMessage m;
  m.version = r.u16();
  if (m.version != 1) bad("MLSMessage: unknown protocol version " + std::to_string(m.version));
  const std::uint16_t format = r.u16();
  switch (format) {
    case 1:
      m.body = PublicMessage::decode(r);
      break;
    case 2:
      m.body = PrivateMessage::decode(r);
      break;
    case 3:
      m.body = Welcome::decode(r);
      break;
    case 4:
      m.body = GroupInfo::decode(r);
      break;
    case 5:
      m.body = KeyPackage::decode(r);
      break;
    default:
      bad("MLSMessage: unknown wire format " + std::to_string(format));
  }
  return m;
}

}  // namespace dmlssim::models::mls
