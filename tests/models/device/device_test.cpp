// The device actor: identity, KeyPackages, founding and joining a room's group, holding it as a
// DMLS epoch tree.
#include <catch2/catch.hpp>

#include "models/device/device.hpp"
#include "models/dmls/key_schedule.hpp"

namespace device = dmlssim::models::device;
namespace mls = dmlssim::models::mls;
namespace dmls = dmlssim::models::dmls;

namespace {
const std::string kRoom = "!room:s0";

mls::GroupConfig fast_config() {
  mls::GroupConfig c;
  c.crypto = &mls::fast_crypto();
  return c;
}
}  // namespace

TEST_CASE("a device's identity names its user, device and homeserver", "[device]") {
  device::Device d("@u3:s1", "D0", 1, mls::Drbg(mls::Bytes(32, 1)));
  CHECK(d.name() == "@u3:s1/D0");
  CHECK(d.identity() == mls::to_bytes("@u3:s1/D0"));
  CHECK(d.homeserver() == 1);
  CHECK(d.online());
  CHECK(d.group(kRoom) == nullptr);
  CHECK(d.tree(kRoom) == nullptr);
}

TEST_CASE("a device founds a group, adds another by KeyPackage, which joins by Welcome",
          "[device]") {
  const mls::GroupConfig config = fast_config();
  device::Device alice("@u0:s0", "D0", 0, mls::Drbg(mls::Bytes(32, 1)));
  device::Device bob("@u0:s1", "D0", 1, mls::Drbg(mls::Bytes(32, 2)));
  alice.new_key_package(*config.crypto);
  const mls::KeyPackage bob_kp = bob.new_key_package(*config.crypto);
  bob.new_key_package(*config.crypto);
  CHECK(bob.key_packages() == 2);
  CHECK(mls::check_key_package(*config.crypto, bob_kp) == mls::KeyPackageError::kNone);
  CHECK(bob_kp.leaf_node.credential.identity == bob.identity());
  mls::Group& group = alice.create_group(kRoom, config, mls::to_bytes("room"));
  CHECK(alice.key_packages() == 0);  // founding used it
  mls::CommitOptions add;
  add.by_value.push_back(mls::Proposal{mls::AddProposal{bob_kp}});
  const mls::CommitOutput out = group.commit(add);
  group.handle(out.commit);  // merged when it comes back
  mls::Group& joined = bob.join_group(kRoom, config, std::get<mls::Welcome>(out.welcome->body));
  CHECK(joined.epoch_authenticator() == group.epoch_authenticator());
  CHECK(joined.member_count() == 2);
  // The used KeyPackage's private keys are gone; the other one is still in stock.
  CHECK(bob.key_packages() == 1);
  CHECK(bob.secrets_for(mls::key_package_ref(bob_kp)) == nullptr);
  // A Welcome for someone else is refused without touching the device.
  device::Device carol("@u0:s2", "D0", 2, mls::Drbg(mls::Bytes(32, 3)));
  carol.new_key_package(*config.crypto);
  CHECK_THROWS_AS(carol.join_group(kRoom, config, std::get<mls::Welcome>(out.welcome->body)),
                  std::invalid_argument);
  CHECK(carol.group(kRoom) == nullptr);
}

TEST_CASE("a device holds its group as a DMLS epoch tree rooted at the current epoch", "[device]") {
  mls::GroupConfig config = fast_config();
  config.successor_init = dmls::dmls_successor_init();
  device::Device d("@u0:s0", "D0", 0, mls::Drbg(mls::Bytes(32, 4)));
  d.new_key_package(*config.crypto);
  const mls::Group& g = d.create_group(kRoom, config, mls::to_bytes("room"));
  const mls::Bytes epoch = dmls::dmls_epoch_of(*config.crypto, g.epoch_secrets());
  dmls::EpochTree& tree = d.hold_as_tree(kRoom, *config.crypto);
  CHECK(tree.root() == epoch);
  CHECK(d.group(kRoom) == nullptr);
  CHECK(d.tree(kRoom) == &tree);
  CHECK_THROWS_AS(d.hold_as_tree(kRoom, *config.crypto), std::logic_error);
}
