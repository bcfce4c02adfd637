// The key schedule beyond the interop vectors: a joiner reaches the members' epoch from the
// joiner_secret alone, and a different PSK secret gives a different epoch.
#include <catch2/catch.hpp>

#include "models/mls/key_schedule.hpp"
#include "tests/models/mls/vector_files.hpp"

namespace mls = dmlssim::models::mls;
using dmlssim::testing::hex;

TEST_CASE("joiners reach the key-schedule vectors' epochs from the joiner_secret", "[mls]") {
  const nlohmann::json v = dmlssim::testing::vector_file("mls/key-schedule.json").at(0);
  mls::Bytes init = hex(v["initial_init_secret"]);
  std::uint64_t epoch = 0;
  for (const auto& e : v["epochs"]) {
    mls::GroupContext gc;
    gc.group_id = hex(v["group_id"]);
    gc.epoch = epoch++;
    gc.tree_hash = hex(e["tree_hash"]);
    gc.confirmed_transcript_hash = hex(e["confirmed_transcript_hash"]);
    const mls::EpochSecrets s = mls::derive_epoch_secrets(
        mls::real_crypto(), init, hex(e["commit_secret"]), hex(e["psk_secret"]), gc.encode());
    const mls::EpochSecrets joined = mls::derive_epoch_secrets_from_joiner(
        mls::real_crypto(), s.joiner_secret, hex(e["psk_secret"]), gc.encode());
    CHECK(joined.epoch_authenticator == hex(e["epoch_authenticator"]));
    CHECK(joined.init_secret == s.init_secret);
    const mls::EpochSecrets other_psk = mls::derive_epoch_secrets_from_joiner(
        mls::real_crypto(), s.joiner_secret, mls::Bytes(32, 9), gc.encode());
    CHECK(other_psk.epoch_authenticator != s.epoch_authenticator);
    init = s.init_secret;
  }
}
