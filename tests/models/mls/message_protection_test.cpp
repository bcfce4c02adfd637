// Message protection beyond the interop vectors (interop_vectors_test.cpp runs those): a wrong
// membership key or signature key is caught with its reason, a PrivateMessage opened with the
// wrong ratchet key or tampered with does not open, padding round-trips.
#include <catch2/catch.hpp>

#include "models/mls/framing.hpp"
#include "tests/models/mls/vector_files.hpp"

namespace mls = dmlssim::models::mls;
using dmlssim::testing::hex;

namespace {

mls::KeyAndNonce application_key(const mls::Bytes& encryption_secret, std::uint32_t generation) {
  const mls::Bytes leaf_secret =
      mls::secret_tree_node(mls::real_crypto(), encryption_secret, 2, mls::leaf_node(1));
  mls::Bytes secret = mls::application_ratchet_root(mls::real_crypto(), leaf_secret);
  for (std::uint32_t g = 0; g < generation; ++g)
    secret = mls::ratchet_next(mls::real_crypto(), secret, g);
  return mls::ratchet_key_nonce(mls::real_crypto(), secret, generation);
}

}  // namespace

TEST_CASE("protection failures carry their reason", "[mls]") {
  const nlohmann::json v = dmlssim::testing::vector_file("mls/message-protection.json").at(0);
  mls::GroupContext gc;
  gc.group_id = hex(v["group_id"]);
  gc.epoch = v["epoch"].get<std::uint64_t>();
  gc.tree_hash = hex(v["tree_hash"]);
  gc.confirmed_transcript_hash = hex(v["confirmed_transcript_hash"]);
  const mls::Bytes context = gc.encode();
  const auto message = mls::decode_one<mls::MlsMessage>(hex(v["commit_pub"]), "pub");
  const auto& pub = std::get<mls::PublicMessage>(message.body);
  const auto& crypto = mls::real_crypto();
  CHECK(mls::verify_public(crypto, pub, hex(v["signature_pub"]), hex(v["membership_key"]),
                           context) == mls::ProtectionError::kNone);
  CHECK(mls::verify_public(crypto, pub, hex(v["signature_pub"]), mls::Bytes(32, 1), context) ==
        mls::ProtectionError::kBadMembershipTag);
  CHECK(mls::verify_public(crypto, pub, crypto.signature_public_key(mls::Bytes(32, 3)),
                           hex(v["membership_key"]),
                           context) == mls::ProtectionError::kBadSignature);

  mls::FramedContent content;
  content.group_id = gc.group_id;
  content.epoch = gc.epoch;
  content.sender = mls::Sender{mls::SenderType::kMember, 1};
  content.content = hex(v["application"]);
  const mls::Bytes encryption_secret = hex(v["encryption_secret"]);
  const mls::PrivateMessage priv = mls::protect_private(
      crypto, content, hex(v["signature_priv"]), context, hex(v["sender_data_secret"]),
      application_key(encryption_secret, 7), {1, 7, {1, 2, 3, 4}}, 13);
  mls::OpenedPrivateMessage opened =
      mls::open_sender_data(mls::real_crypto(), priv, hex(v["sender_data_secret"]));
  REQUIRE(opened.error == mls::ProtectionError::kNone);
  CHECK(opened.sender.generation == 7);
  mls::OpenedPrivateMessage right = opened, wrong = opened;
  mls::open_private_content(crypto, priv, application_key(encryption_secret, 7),
                            hex(v["signature_pub"]), context, right);
  CHECK(right.error == mls::ProtectionError::kNone);
  CHECK(std::get<mls::Bytes>(right.content.content) == hex(v["application"]));
  mls::open_private_content(crypto, priv, application_key(encryption_secret, 6),
                            hex(v["signature_pub"]), context, wrong);
  CHECK(wrong.error == mls::ProtectionError::kUndecryptableContent);
  CHECK(mls::open_sender_data(mls::real_crypto(), priv, mls::Bytes(32, 5)).error ==
        mls::ProtectionError::kUndecryptableSenderData);
  mls::PrivateMessage tampered = priv;
  tampered.ciphertext[20] ^= 1;
  mls::OpenedPrivateMessage t =
      mls::open_sender_data(mls::real_crypto(), tampered, hex(v["sender_data_secret"]));
  if (t.error == mls::ProtectionError::kNone) {
    mls::open_private_content(crypto, tampered, application_key(encryption_secret, 7),
                              hex(v["signature_pub"]), context, t);
  }
  CHECK(t.error != mls::ProtectionError::kNone);
}
