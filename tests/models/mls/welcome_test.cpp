// Joining by Welcome against the interop vectors (welcome.json): find our secrets by KeyPackage
// reference, decrypt the GroupSecrets and the GroupInfo, verify the signer, recompute the tag.
#include <catch2/catch.hpp>

#include "models/mls/key_schedule.hpp"
#include "models/mls/labels.hpp"
#include "models/mls/primitives.hpp"
#include "models/mls/transcript.hpp"
#include "models/mls/wire_messages.hpp"
#include "tests/models/mls/vector_files.hpp"

namespace mls = dmlssim::models::mls;
using dmlssim::testing::hex;

TEST_CASE("a Welcome from the interop vectors is opened and verified", "[mls][vectors]") {
  const nlohmann::json vectors = dmlssim::testing::vector_file("mls/welcome.json");
  REQUIRE(!vectors.empty());
  for (const auto& v : vectors) {
    const auto kp_message = mls::decode_one<mls::MlsMessage>(hex(v["key_package"]), "key_package");
    const auto& key_package = std::get<mls::KeyPackage>(kp_message.body);
    const auto welcome_message = mls::decode_one<mls::MlsMessage>(hex(v["welcome"]), "welcome");
    const auto& welcome = std::get<mls::Welcome>(welcome_message.body);
    CHECK(mls::x25519_public_key(hex(v["init_priv"])) == key_package.init_key);
    const mls::Bytes ref =
        mls::ref_hash("MLS 1.0 KeyPackage Reference", mls::encode_one(key_package));
    const mls::EncryptedGroupSecrets* mine = nullptr;
    for (const auto& s : welcome.secrets) {
      if (s.new_member == ref) mine = &s;
    }
    REQUIRE(mine != nullptr);
    const mls::Bytes secrets_bytes = mls::decrypt_with_label(
        mls::real_crypto(), hex(v["init_priv"]), "Welcome", welcome.encrypted_group_info,
        mine->encrypted_group_secrets.kem_output, mine->encrypted_group_secrets.ciphertext);
    const auto secrets = mls::decode_one<mls::GroupSecrets>(secrets_bytes, "GroupSecrets");
    REQUIRE(secrets.psks.empty());
    const mls::Bytes psk(mls::kHashLength, 0);
    const mls::Bytes welcome_secret =
        mls::derive_secret(mls::hkdf_extract(secrets.joiner_secret, psk), "welcome");
    const mls::Bytes info_bytes =
        mls::aead_open(mls::expand_with_label(welcome_secret, "key", {}, mls::kAeadKeyLength),
                       mls::expand_with_label(welcome_secret, "nonce", {}, mls::kAeadNonceLength),
                       {}, welcome.encrypted_group_info);
    const auto info = mls::decode_one<mls::GroupInfo>(info_bytes, "GroupInfo");
    mls::TlsWriter tbs;
    info.encode_content(tbs);
    CHECK(mls::verify_with_label(mls::real_crypto(), hex(v["signer_pub"]), "GroupInfoTBS",
                                 tbs.bytes(), info.signature));
    const mls::EpochSecrets epoch = mls::derive_epoch_secrets_from_joiner(
        secrets.joiner_secret, psk, info.group_context.encode());
    CHECK(mls::confirmation_tag(epoch.confirmation_key,
                                info.group_context.confirmed_transcript_hash) ==
          info.confirmation_tag);
    CHECK(epoch.welcome_secret == welcome_secret);
  }
}
