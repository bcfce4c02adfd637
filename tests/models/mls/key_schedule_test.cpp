// The key schedule, PSK secrets and the secret tree against the interop vectors.
#include <catch2/catch.hpp>

#include "models/mls/key_schedule.hpp"
#include "models/mls/primitives.hpp"
#include "models/mls/secret_tree.hpp"
#include "models/mls/transcript.hpp"
#include "tests/models/mls/vector_files.hpp"

namespace mls = dmlssim::models::mls;
using dmlssim::testing::hex;

TEST_CASE("the key schedule matches the interop vectors over chained epochs", "[mls][vectors]") {
  const nlohmann::json vectors = dmlssim::testing::vector_file("mls/key-schedule.json");
  REQUIRE(!vectors.empty());
  for (const auto& v : vectors) {
    mls::Bytes init = hex(v["initial_init_secret"]);
    std::uint64_t epoch = 0;
    REQUIRE(v["epochs"].size() == 5);
    for (const auto& e : v["epochs"]) {
      CAPTURE(epoch);
      mls::GroupContext gc;
      gc.group_id = hex(v["group_id"]);
      gc.epoch = epoch++;
      gc.tree_hash = hex(e["tree_hash"]);
      gc.confirmed_transcript_hash = hex(e["confirmed_transcript_hash"]);
      CHECK(gc.encode() == hex(e["group_context"]));
      const mls::EpochSecrets s = mls::derive_epoch_secrets(init, hex(e["commit_secret"]),
                                                            hex(e["psk_secret"]), gc.encode());
      CHECK(s.joiner_secret == hex(e["joiner_secret"]));
      CHECK(s.welcome_secret == hex(e["welcome_secret"]));
      CHECK(s.init_secret == hex(e["init_secret"]));
      CHECK(s.sender_data_secret == hex(e["sender_data_secret"]));
      CHECK(s.encryption_secret == hex(e["encryption_secret"]));
      CHECK(s.exporter_secret == hex(e["exporter_secret"]));
      CHECK(s.epoch_authenticator == hex(e["epoch_authenticator"]));
      CHECK(s.external_secret == hex(e["external_secret"]));
      CHECK(s.confirmation_key == hex(e["confirmation_key"]));
      CHECK(s.membership_key == hex(e["membership_key"]));
      CHECK(s.resumption_psk == hex(e["resumption_psk"]));
      CHECK(mls::external_key_pair(mls::real_crypto(), s).public_key == hex(e["external_pub"]));
      // The exporter label is used as the ASCII text written in the file (see the vectors' README).
      const auto& x = e["exporter"];
      CHECK(mls::mls_export(s.exporter_secret, x["label"].get<std::string>(), hex(x["context"]),
                            x["length"].get<std::uint16_t>()) == hex(x["secret"]));
      // A joiner reaches the same epoch from the joiner_secret.
      CHECK(
          mls::derive_epoch_secrets_from_joiner(s.joiner_secret, hex(e["psk_secret"]), gc.encode())
              .epoch_authenticator == s.epoch_authenticator);
      init = s.init_secret;
    }
  }
}

TEST_CASE("PSK secrets match the interop vectors", "[mls][vectors]") {
  const nlohmann::json vectors = dmlssim::testing::vector_file("mls/psk_secret.json");
  REQUIRE(vectors.size() == 11);
  for (const auto& v : vectors) {
    std::vector<mls::ExternalPsk> psks;
    for (const auto& p : v["psks"])
      psks.push_back({hex(p["psk_id"]), hex(p["psk_nonce"]), hex(p["psk"])});
    CAPTURE(psks.size());
    CHECK(mls::psk_secret(psks) == hex(v["psk_secret"]));
  }
}

TEST_CASE("the secret tree and sender data match the interop vectors", "[mls][vectors]") {
  const nlohmann::json vectors = dmlssim::testing::vector_file("mls/secret-tree.json");
  REQUIRE(vectors.size() == 3);
  for (const auto& v : vectors) {
    const auto& sd = v["sender_data"];
    const mls::KeyAndNonce sender =
        mls::sender_data_key_nonce(hex(sd["sender_data_secret"]), hex(sd["ciphertext"]));
    CHECK(sender.key == hex(sd["key"]));
    CHECK(sender.nonce == hex(sd["nonce"]));
    const auto n = static_cast<std::uint32_t>(v["leaves"].size());
    CAPTURE(n);
    for (std::uint32_t leaf = 0; leaf < n; ++leaf) {
      const mls::Bytes leaf_secret =
          mls::secret_tree_node(hex(v["encryption_secret"]), n, mls::leaf_node(leaf));
      for (const auto& g : v["leaves"][leaf]) {
        const auto generation = g["generation"].get<std::uint32_t>();
        CAPTURE(leaf, generation);
        mls::Bytes hs = mls::handshake_ratchet_root(leaf_secret);
        mls::Bytes app = mls::application_ratchet_root(leaf_secret);
        for (std::uint32_t i = 0; i < generation; ++i) {
          hs = mls::ratchet_next(hs, i);
          app = mls::ratchet_next(app, i);
        }
        const mls::KeyAndNonce h = mls::ratchet_key_nonce(hs, generation);
        const mls::KeyAndNonce a = mls::ratchet_key_nonce(app, generation);
        CHECK(h.key == hex(g["handshake_key"]));
        CHECK(h.nonce == hex(g["handshake_nonce"]));
        CHECK(a.key == hex(g["application_key"]));
        CHECK(a.nonce == hex(g["application_nonce"]));
      }
    }
  }
}

TEST_CASE("transcript hashes and the confirmation tag match the interop vectors",
          "[mls][vectors]") {
  const nlohmann::json vectors = dmlssim::testing::vector_file("mls/transcript-hashes.json");
  REQUIRE(!vectors.empty());
  for (const auto& v : vectors) {
    // The AuthenticatedContent of a commit ends with its confirmation tag, an opaque<V> of Nh bytes
    // (a one-byte length, 0x20, then the MAC); everything before it is
    // ConfirmedTranscriptHashInput.
    const mls::Bytes content = hex(v["authenticated_content"]);
    REQUIRE(content.size() > mls::kHashLength + 1);
    const std::size_t split = content.size() - mls::kHashLength - 1;
    REQUIRE(content[split] == mls::kHashLength);
    const mls::Bytes input(content.begin(), content.begin() + static_cast<long>(split));
    const mls::Bytes tag(content.begin() + static_cast<long>(split) + 1, content.end());
    const mls::Bytes confirmed =
        mls::confirmed_transcript_hash(hex(v["interim_transcript_hash_before"]), input);
    CHECK(confirmed == hex(v["confirmed_transcript_hash_after"]));
    CHECK(mls::confirmation_tag(hex(v["confirmation_key"]), confirmed) == tag);
    CHECK(mls::interim_transcript_hash(confirmed, tag) == hex(v["interim_transcript_hash_after"]));
  }
}
