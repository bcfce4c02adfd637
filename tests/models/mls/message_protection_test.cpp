// PublicMessage and PrivateMessage protection against the interop vectors
// (message-protection.json): the given messages are verified and opened, and our own protection
// opens again to the content.
#include <catch2/catch.hpp>

#include "models/mls/framing.hpp"
#include "tests/models/mls/vector_files.hpp"

namespace mls = dmlssim::models::mls;
using dmlssim::testing::hex;

namespace {

// The ratchet key of a leaf of a 2-leaf secret tree at a generation.
mls::KeyAndNonce ratchet_key(const mls::Bytes& encryption_secret, mls::LeafIndex leaf,
                             bool handshake, std::uint32_t generation) {
  const mls::Bytes leaf_secret = mls::secret_tree_node(encryption_secret, 2, mls::leaf_node(leaf));
  mls::Bytes secret = handshake ? mls::handshake_ratchet_root(leaf_secret)
                                : mls::application_ratchet_root(leaf_secret);
  for (std::uint32_t g = 0; g < generation; ++g)
    secret = mls::ratchet_next(secret, g);
  return mls::ratchet_key_nonce(secret, generation);
}

mls::FramedContent opened_private(const nlohmann::json& v, const mls::Bytes& message_bytes,
                                  const mls::Bytes& group_context) {
  const auto message = mls::decode_one<mls::MlsMessage>(message_bytes, "private message");
  const auto& priv = std::get<mls::PrivateMessage>(message.body);
  mls::OpenedPrivateMessage opened = mls::open_sender_data(priv, hex(v["sender_data_secret"]));
  REQUIRE(opened.error == mls::ProtectionError::kNone);
  const bool handshake = priv.content_type != mls::ContentType::kApplication;
  mls::open_private_content(mls::real_crypto(), priv,
                            ratchet_key(hex(v["encryption_secret"]), opened.sender.leaf_index,
                                        handshake, opened.sender.generation),
                            hex(v["signature_pub"]), group_context, opened);
  CHECK(mls::to_string(opened.error) == std::string("none"));
  return opened.content;
}

}  // namespace

TEST_CASE("message protection matches the interop vectors", "[mls][vectors]") {
  const nlohmann::json vectors = dmlssim::testing::vector_file("mls/message-protection.json");
  REQUIRE(!vectors.empty());
  for (const auto& v : vectors) {
    mls::GroupContext gc;
    gc.group_id = hex(v["group_id"]);
    gc.epoch = v["epoch"].get<std::uint64_t>();
    gc.tree_hash = hex(v["tree_hash"]);
    gc.confirmed_transcript_hash = hex(v["confirmed_transcript_hash"]);
    const mls::Bytes context = gc.encode();
    // Public messages: verify the signature and membership tag, compare the content.
    for (const char* kind : {"proposal", "commit"}) {
      CAPTURE(kind);
      const auto message =
          mls::decode_one<mls::MlsMessage>(hex(v[std::string(kind) + "_pub"]), "pub");
      const auto& pub = std::get<mls::PublicMessage>(message.body);
      CHECK(mls::verify_public(mls::real_crypto(), pub, hex(v["signature_pub"]),
                               hex(v["membership_key"]), context) == mls::ProtectionError::kNone);
      CHECK(mls::verify_public(mls::real_crypto(), pub, hex(v["signature_pub"]), mls::Bytes(32, 1),
                               context) == mls::ProtectionError::kBadMembershipTag);
      const mls::Bytes expected = hex(v[kind]);
      if (std::string(kind) == "proposal") {
        CHECK(mls::encode_one(std::get<mls::Proposal>(pub.content.content)) == expected);
      } else {
        CHECK(mls::encode_one(std::get<mls::Commit>(pub.content.content)) == expected);
      }
    }
    // Private messages: open them, compare the content.
    CHECK(mls::encode_one(std::get<mls::Proposal>(
              opened_private(v, hex(v["proposal_priv"]), context).content)) == hex(v["proposal"]));
    CHECK(mls::encode_one(std::get<mls::Commit>(
              opened_private(v, hex(v["commit_priv"]), context).content)) == hex(v["commit"]));
    CHECK(std::get<mls::Bytes>(opened_private(v, hex(v["application_priv"]), context).content) ==
          hex(v["application"]));

    // Our own protection of the application data opens again, padding included.
    mls::FramedContent content;
    content.group_id = gc.group_id;
    content.epoch = gc.epoch;
    content.sender = mls::Sender{mls::SenderType::kMember, 1};
    content.content = hex(v["application"]);
    const mls::PrivateMessage ours = mls::protect_private(
        mls::real_crypto(), content, hex(v["signature_priv"]), context,
        hex(v["sender_data_secret"]), ratchet_key(hex(v["encryption_secret"]), 1, false, 7),
        {1, 7, {1, 2, 3, 4}}, 13);
    mls::MlsMessage wrapped;
    wrapped.body = ours;
    CHECK(std::get<mls::Bytes>(opened_private(v, mls::encode_one(wrapped), context).content) ==
          hex(v["application"]));
    // And a public message of ours verifies.
    const mls::PublicMessage pub = mls::protect_public(
        mls::real_crypto(), content, hex(v["signature_priv"]), hex(v["membership_key"]), context);
    CHECK(mls::verify_public(mls::real_crypto(), pub, hex(v["signature_pub"]),
                             hex(v["membership_key"]), context) == mls::ProtectionError::kNone);
  }
}
