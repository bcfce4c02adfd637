// messages.json, deserialization.json, message-protection.json and welcome.json.
#include "models/mls/framing.hpp"
#include "models/mls/key_package.hpp"
#include "models/mls/labels.hpp"
#include "models/mls/primitives.hpp"
#include "models/mls/tls_reader.hpp"
#include "models/mls/tls_writer.hpp"
#include "models/mls/transcript.hpp"
#include "models/mls/vectors/entry_check.hpp"
#include "models/mls/vectors/message_round_trips.hpp"
#include "models/mls/welcome_builder.hpp"
#include "models/mls/wire_messages.hpp"

namespace dmlssim::models::mls::vectors {
namespace {

template <typename T>
RoundTrip struct_trip() {
  return [](const Bytes& b) { return encode_one(decode_one<T>(b, "vector")); };
}

RoundTrip proposal_trip(ProposalType type) {
  return [type](const Bytes& b) {
    TlsReader r(b);
    const Proposal p = Proposal::decode_body(type, r);
    r.expect_done("proposal");
    TlsWriter w;
    p.encode_body(w);
    return w.take();
  };
}

// The ratchet key of a leaf of a 2-leaf secret tree at a generation (message-protection).
KeyAndNonce ratchet_key(const Bytes& encryption_secret, LeafIndex leaf, bool handshake,
                        std::uint32_t generation) {
  const Bytes leaf_secret = secret_tree_node(real_crypto(), encryption_secret, 2, leaf_node(leaf));
  Bytes secret = handshake ? handshake_ratchet_root(real_crypto(), leaf_secret)
                           : application_ratchet_root(real_crypto(), leaf_secret);
  for (std::uint32_t g = 0; g < generation; ++g)
    secret = ratchet_next(real_crypto(), secret, g);
  return ratchet_key_nonce(real_crypto(), secret, generation);
}

// Opens a PrivateMessage of message-protection.json; nullopt when it does not open.
std::optional<FramedContent> open_private(const nlohmann::json& v, const Bytes& message_bytes,
                                          const Bytes& group_context) {
  const auto message = decode_one<MlsMessage>(message_bytes, "private message");
  const auto* priv = std::get_if<PrivateMessage>(&message.body);
  if (priv == nullptr) return std::nullopt;
  OpenedPrivateMessage opened =
      open_sender_data(real_crypto(), *priv, hex_of(v.at("sender_data_secret")));
  if (opened.error != ProtectionError::kNone) return std::nullopt;
  const bool handshake = priv->content_type != ContentType::kApplication;
  open_private_content(real_crypto(), *priv,
                       ratchet_key(hex_of(v.at("encryption_secret")), opened.sender.leaf_index,
                                   handshake, opened.sender.generation),
                       hex_of(v.at("signature_pub")), group_context, opened);
  if (opened.error != ProtectionError::kNone) return std::nullopt;
  return opened.content;
}

}  // namespace

const std::map<std::string, RoundTrip>& message_round_trips() {
  static const std::map<std::string, RoundTrip> trips = {
      {"mls_welcome", struct_trip<MlsMessage>()},
      {"mls_group_info", struct_trip<MlsMessage>()},
      {"mls_key_package", struct_trip<MlsMessage>()},
      {"ratchet_tree",
       [](const Bytes& b) {
         TlsReader r(b);
         const auto nodes = decode_ratchet_tree(r);
         r.expect_done("ratchet_tree");
         TlsWriter w;
         encode_ratchet_tree(w, nodes);
         return w.take();
       }},
      {"group_secrets", struct_trip<GroupSecrets>()},
      {"add_proposal", proposal_trip(ProposalType::kAdd)},
      {"update_proposal", proposal_trip(ProposalType::kUpdate)},
      {"remove_proposal", proposal_trip(ProposalType::kRemove)},
      {"pre_shared_key_proposal", proposal_trip(ProposalType::kPreSharedKey)},
      {"re_init_proposal", proposal_trip(ProposalType::kReInit)},
      {"external_init_proposal", proposal_trip(ProposalType::kExternalInit)},
      {"group_context_extensions_proposal", proposal_trip(ProposalType::kGroupContextExtensions)},
      {"commit", struct_trip<Commit>()},
      {"public_message_application", struct_trip<MlsMessage>()},
      {"public_message_proposal", struct_trip<MlsMessage>()},
      {"public_message_commit", struct_trip<MlsMessage>()},
      {"private_message", struct_trip<MlsMessage>()},
  };
  return trips;
}

void run_messages(const nlohmann::json& v, std::size_t index, VectorResult& out) {
  EntryCheck check(index, out);
  for (const auto& [field, trip] : message_round_trips()) {
    if (!v.contains(field)) continue;  // older files lack some fields
    const Bytes bytes = hex_of(v.at(field));
    try {
      check.expect(trip(bytes) == bytes, field + " re-encodes differently");
    } catch (const DecodeError& e) {
      check.expect(false, field + ": " + e.what());
    }
  }
  check.finish();
}

void run_deserialization(const nlohmann::json& v, std::size_t index, VectorResult& out) {
  EntryCheck check(index, out);
  const auto length = v.at("length").get<std::uint64_t>();
  const Bytes header = hex_of(v.at("vlbytes_header"));
  TlsReader r(header);
  check.expect(r.varint() == length && r.done(), "decoded length");
  TlsWriter w;
  w.varint(length);
  check.expect(w.bytes() == header, "encoded header");
  check.finish();
}

void run_message_protection(const nlohmann::json& v, std::size_t index, VectorResult& out) {
  if (skip_other_suite(v, out)) return;
  EntryCheck check(index, out);
  GroupContext gc;
  gc.group_id = hex_of(v.at("group_id"));
  gc.epoch = v.at("epoch").get<std::uint64_t>();
  gc.tree_hash = hex_of(v.at("tree_hash"));
  gc.confirmed_transcript_hash = hex_of(v.at("confirmed_transcript_hash"));
  const Bytes context = gc.encode();
  const Bytes signature_pub = hex_of(v.at("signature_pub"));
  const Bytes membership_key = hex_of(v.at("membership_key"));
  for (const std::string kind : {"proposal", "commit"}) {
    const auto message = decode_one<MlsMessage>(hex_of(v.at(kind + "_pub")), "public message");
    const auto* pub = std::get_if<PublicMessage>(&message.body);
    if (pub == nullptr) {
      check.expect(false, kind + "_pub is not a PublicMessage");
      continue;
    }
    check.expect(verify_public(real_crypto(), *pub, signature_pub, membership_key, context) ==
                     ProtectionError::kNone,
                 kind + "_pub does not verify");
    const Bytes body = kind == "proposal" ? encode_one(std::get<Proposal>(pub->content.content))
                                          : encode_one(std::get<Commit>(pub->content.content));
    check.expect(body == hex_of(v.at(kind)), kind + "_pub content");
    const auto opened = open_private(v, hex_of(v.at(kind + "_priv")), context);
    check.expect(opened.has_value(), kind + "_priv does not open");
    if (opened) {
      const Bytes priv_body = kind == "proposal" ? encode_one(std::get<Proposal>(opened->content))
                                                 : encode_one(std::get<Commit>(opened->content));
      check.expect(priv_body == hex_of(v.at(kind)), kind + "_priv content");
    }
  }
  const auto app = open_private(v, hex_of(v.at("application_priv")), context);
  check.expect(app && std::get<Bytes>(app->content) == hex_of(v.at("application")),
               "application_priv");
  // Our own protection of the application data opens again.
  FramedContent content;
  content.group_id = gc.group_id;
  content.epoch = gc.epoch;
  content.sender = Sender{SenderType::kMember, 1};
  content.content = hex_of(v.at("application"));
  MlsMessage ours;
  ours.body = protect_private(real_crypto(), content, hex_of(v.at("signature_priv")), context,
                              hex_of(v.at("sender_data_secret")),
                              ratchet_key(hex_of(v.at("encryption_secret")), 1, false, 7),
                              {1, 7, {1, 2, 3, 4}}, 13);
  const auto again = open_private(v, encode_one(ours), context);
  check.expect(again && std::get<Bytes>(again->content) == hex_of(v.at("application")),
               "our PrivateMessage round trip");
  check.finish();
}

void run_welcome(const nlohmann::json& v, std::size_t index, VectorResult& out) {
  if (skip_other_suite(v, out)) return;
  const CryptoProvider& crypto = real_crypto();
  EntryCheck check(index, out);
  const auto kp_message = decode_one<MlsMessage>(hex_of(v.at("key_package")), "key_package");
  const auto welcome_message = decode_one<MlsMessage>(hex_of(v.at("welcome")), "welcome");
  const auto* kp = std::get_if<KeyPackage>(&kp_message.body);
  const auto* welcome = std::get_if<Welcome>(&welcome_message.body);
  if (kp == nullptr || welcome == nullptr) {
    out.fail(index, "key_package or welcome is not of its wire format");
    return;
  }
  check.expect(check_key_package(crypto, *kp) == KeyPackageError::kNone, "KeyPackage checks");
  const Bytes init_priv = hex_of(v.at("init_priv"));
  check.expect(crypto.dh_public_key(init_priv) == kp->init_key, "init key");
  const Bytes ref = key_package_ref(*kp);
  const EncryptedGroupSecrets* mine = nullptr;
  for (const auto& s : welcome->secrets) {
    if (s.new_member == ref) mine = &s;
  }
  if (mine == nullptr) {
    out.fail(index, "no GroupSecrets for the KeyPackage");
    return;
  }
  const auto secrets = decode_one<GroupSecrets>(
      decrypt_with_label(crypto, init_priv, "Welcome", welcome->encrypted_group_info,
                         mine->encrypted_group_secrets.kem_output,
                         mine->encrypted_group_secrets.ciphertext),
      "GroupSecrets");
  const Bytes psk(kHashLength, 0);  // the vectors carry no PSKs
  check.expect(secrets.psks.empty(), "GroupSecrets without PSKs");
  const Bytes welcome_secret =
      derive_secret(real_crypto(), hkdf_extract(secrets.joiner_secret, psk), "welcome");
  const auto info = decode_one<GroupInfo>(
      open_group_info(real_crypto(), welcome_secret, welcome->encrypted_group_info), "GroupInfo");
  check.expect(group_info_signature_valid(crypto, info, hex_of(v.at("signer_pub"))),
               "GroupInfo signature");
  const EpochSecrets epoch = derive_epoch_secrets_from_joiner(real_crypto(), secrets.joiner_secret,
                                                              psk, info.group_context.encode());
  check.expect(
      confirmation_tag(real_crypto(), epoch.confirmation_key,
                       info.group_context.confirmed_transcript_hash) == info.confirmation_tag,
      "confirmation_tag");
  check.finish();
}

}  // namespace dmlssim::models::mls::vectors
