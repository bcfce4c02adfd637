// MLS proposals, commits, framing and welcome structs of RFC 9420 (§6, §12, §12.4) in TLS
// presentation, with the MLSMessage wrapper.
#pragma once

#include "models/mls/key_schedule.hpp"
#include "models/mls/wire_types.hpp"

namespace dmlssim::models::mls {

enum class ProposalType : std::uint16_t {
  kAdd = 1,
  kUpdate = 2,
  kRemove = 3,
  kPreSharedKey = 4,
  kReInit = 5,
  kExternalInit = 6,
  kGroupContextExtensions = 7,
};

struct PreSharedKeyId {
  static constexpr std::uint8_t kExternal = 1;
  static constexpr std::uint8_t kResumption = 2;
  std::uint8_t type = kExternal;
  Bytes psk_id;                 // external
  std::uint8_t usage = 0;       // resumption: application(1), reinit(2), branch(3)
  Bytes psk_group_id;           // resumption
  std::uint64_t psk_epoch = 0;  // resumption
  Bytes psk_nonce;
  void encode(TlsWriter& w) const;
  static PreSharedKeyId decode(TlsReader& r);
  friend bool operator==(const PreSharedKeyId&, const PreSharedKeyId&) = default;
};

struct AddProposal {
  KeyPackage key_package;
  friend bool operator==(const AddProposal&, const AddProposal&) = default;
};
struct UpdateProposal {
  LeafNode leaf_node;
  friend bool operator==(const UpdateProposal&, const UpdateProposal&) = default;
};
struct RemoveProposal {
  std::uint32_t removed = 0;
  friend bool operator==(const RemoveProposal&, const RemoveProposal&) = default;
};
struct PreSharedKeyProposal {
  PreSharedKeyId psk;
  friend bool operator==(const PreSharedKeyProposal&, const PreSharedKeyProposal&) = default;
};
struct ReInitProposal {
  Bytes group_id;
  std::uint16_t version = 1;
  std::uint16_t cipher_suite = 1;
  std::vector<Extension> extensions;
  friend bool operator==(const ReInitProposal&, const ReInitProposal&) = default;
};
struct ExternalInitProposal {
  Bytes kem_output;
  friend bool operator==(const ExternalInitProposal&, const ExternalInitProposal&) = default;
};
struct GroupContextExtensionsProposal {
  std::vector<Extension> extensions;
  friend bool operator==(const GroupContextExtensionsProposal&,
                         const GroupContextExtensionsProposal&) = default;
};

struct Proposal {
  std::variant<AddProposal, UpdateProposal, RemoveProposal, PreSharedKeyProposal, ReInitProposal,
               ExternalInitProposal, GroupContextExtensionsProposal>
      body;
  ProposalType type() const { return static_cast<ProposalType>(body.index() + 1); }
  // The proposal with its type (Proposal); the body alone (Add, Remove, ...) for the vectors.
  void encode(TlsWriter& w) const;
  void encode_body(TlsWriter& w) const;
  static Proposal decode(TlsReader& r);
  static Proposal decode_body(ProposalType type, TlsReader& r);
  friend bool operator==(const Proposal&, const Proposal&) = default;
};

struct ProposalOrRef {
  std::variant<Proposal, Bytes> value;  // a proposal by value, or a ProposalRef
  void encode(TlsWriter& w) const;
  static ProposalOrRef decode(TlsReader& r);
  friend bool operator==(const ProposalOrRef&, const ProposalOrRef&) = default;
};

struct Commit {
  std::vector<ProposalOrRef> proposals;
  std::optional<UpdatePath> path;
  void encode(TlsWriter& w) const;
  static Commit decode(TlsReader& r);
  friend bool operator==(const Commit&, const Commit&) = default;
};

enum class SenderType : std::uint8_t {
  kMember = 1,
  kExternal = 2,
  kNewMemberProposal = 3,
  kNewMemberCommit = 4,
};

struct Sender {
  SenderType type = SenderType::kMember;
  std::uint32_t index = 0;  // leaf index (member) or sender index (external)
  void encode(TlsWriter& w) const;
  static Sender decode(TlsReader& r);
  friend bool operator==(const Sender&, const Sender&) = default;
};

enum class ContentType : std::uint8_t { kApplication = 1, kProposal = 2, kCommit = 3 };

struct FramedContent {
  Bytes group_id;
  std::uint64_t epoch = 0;
  Sender sender;
  Bytes authenticated_data;
  std::variant<Bytes, Proposal, Commit> content;  // application data, proposal, commit
  ContentType content_type() const { return static_cast<ContentType>(content.index() + 1); }
  void encode(TlsWriter& w) const;
  static FramedContent decode(TlsReader& r);
  friend bool operator==(const FramedContent&, const FramedContent&) = default;
};

struct PublicMessage {
  FramedContent content;
  Bytes signature;
  Bytes confirmation_tag;  // commits only
  Bytes membership_tag;    // member senders only
  void encode(TlsWriter& w) const;
  static PublicMessage decode(TlsReader& r);
  friend bool operator==(const PublicMessage&, const PublicMessage&) = default;
};

struct PrivateMessage {
  Bytes group_id;
  std::uint64_t epoch = 0;
  ContentType content_type = ContentType::kApplication;
  Bytes authenticated_data;
  Bytes encrypted_sender_data;
  Bytes ciphertext;
  void encode(TlsWriter& w) const;
  static PrivateMessage decode(TlsReader& r);
  friend bool operator==(const PrivateMessage&, const PrivateMessage&) = default;
};

struct GroupSecrets {
  Bytes joiner_secret;
  std::optional<Bytes> path_secret;
  std::vector<PreSharedKeyId> psks;
  void encode(TlsWriter& w) const;
  static GroupSecrets decode(TlsReader& r);
  friend bool operator==(const GroupSecrets&, const GroupSecrets&) = default;
};

struct EncryptedGroupSecrets {
  Bytes new_member;  // KeyPackageRef
  HpkeCiphertext encrypted_group_secrets;
  void encode(TlsWriter& w) const;
  static EncryptedGroupSecrets decode(TlsReader& r);
  friend bool operator==(const EncryptedGroupSecrets&, const EncryptedGroupSecrets&) = default;
};

struct Welcome {
  std::uint16_t cipher_suite = 1;
  std::vector<EncryptedGroupSecrets> secrets;
  Bytes encrypted_group_info;
  void encode(TlsWriter& w) const;
  static Welcome decode(TlsReader& r);
  friend bool operator==(const Welcome&, const Welcome&) = default;
};

struct GroupInfo {
  GroupContext group_context;
  std::vector<Extension> extensions;
  Bytes confirmation_tag;
  std::uint32_t signer = 0;
  Bytes signature;
  void encode_content(TlsWriter& w) const;  // GroupInfoTBS
  void encode(TlsWriter& w) const;
  static GroupInfo decode(TlsReader& r);
};

enum class WireFormat : std::uint16_t {
  kPublicMessage = 1,
  kPrivateMessage = 2,
  kWelcome = 3,
  kGroupInfo = 4,
  kKeyPackage = 5,
};

struct MlsMessage {
  std::uint16_t version = 1;
  std::variant<PublicMessage, PrivateMessage, Welcome, GroupInfo, KeyPackage> body;
  WireFormat wire_format() const { return static_cast<WireFormat>(body.index() + 1); }
  void encode(TlsWriter& w) const;
  static MlsMessage decode(TlsReader& r);
};

// GroupContext in TLS presentation (encode() is in key_schedule.hpp).
GroupContext decode_group_context(TlsReader& r);

}  // namespace dmlssim::models::mls
