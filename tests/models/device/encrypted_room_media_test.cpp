// Welcomes too large for a to-device message (the Matrix spec's 65,536 bytes): uploaded to the
// committer's server, announced by an mxc reference, fetched once per target server over
// federation (GET /federation/v1/media/download) and downloaded by each target device.
#include <catch2/catch.hpp>

#include "tests/models/device/encrypted_world.hpp"

using dmlssim::testing::EncryptedWorld;
namespace device = dmlssim::models::device;
namespace mx = dmlssim::models::matrix;
namespace mls = dmlssim::models::mls;
namespace sim = dmlssim::sim;
using device::DeviceIndex;

namespace {

// 3 servers x 40 users x 2 devices: a group of 240, whose Welcome (ratchet tree included) is
// beyond 65,536 bytes in base64.
constexpr std::uint32_t kUsersPerServer = 40;

std::uint64_t class_bytes(const std::vector<std::string>& names,
                          const std::function<sim::TrafficCounters(sim::MessageClass)>& traffic,
                          const std::string& name, bool messages = false) {
  for (std::size_t c = 0; c < names.size(); ++c) {
    if (names[c] != name) continue;
    const sim::TrafficCounters t = traffic(static_cast<sim::MessageClass>(c));
    return messages ? t.messages : t.bytes;
  }
  return 0;
}

std::uint64_t federation_bytes(EncryptedWorld& e, const std::string& name, bool messages = false) {
  return class_bytes(
      e.w.network.class_names(), [&](sim::MessageClass c) { return e.w.network.traffic(c); }, name,
      messages);
}

std::uint64_t client_bytes(EncryptedWorld& e, const std::string& name, bool messages = false) {
  return class_bytes(
      e.links.class_names(), [&](sim::MessageClass c) { return e.links.traffic(c); }, name,
      messages);
}

// @u1:s2 leaves, is removed by a device of s0, and joins again: its two devices are to be added.
std::vector<DeviceIndex> rejoined_devices(EncryptedWorld& e) {
  REQUIRE(e.w.send(2, 1, "m.room.member", "@u1:s2", {{"membership", "leave"}}) != mx::kNoEvent);
  e.run_for(5);
  mls::CommitOptions removes;
  removes.by_value = e.room.removals_due(0);
  REQUIRE(e.room.commit(0, removes).sent);
  e.run_for(5);
  REQUIRE(e.w.send(2, 1, "m.room.member", "@u1:s2", {{"membership", "join"}}) != mx::kNoEvent);
  e.run_for(5);
  const std::size_t u = e.user_index("@u1:s2");
  const std::vector<DeviceIndex> targets{e.room.first_device(u), e.room.first_device(u) + 1};
  REQUIRE(e.room.devices_to_add(0) == targets);
  return targets;
}

}  // namespace

TEST_CASE(
    "media: a Welcome over 65,536 bytes is uploaded once, announced by reference, fetched once "
    "by the targets' server and downloaded by each target",
    "[device][e2ee][adds][media]") {
  const bool dmls = GENERATE(false, true);
  device::EncryptedRoomConfig c = EncryptedWorld::config();
  c.dmls = dmls;
  REQUIRE(c.max_event_bytes == 65536);  // the Matrix spec's limit by default
  EncryptedWorld e(3, kUsersPerServer, c);
  const std::vector<DeviceIndex> targets = rejoined_devices(e);
  REQUIRE(e.room.add_devices(0, targets).sent);
  e.run_for(30);
  for (const DeviceIndex d : targets) {
    REQUIRE(e.room.group(d) != nullptr);
    CHECK(e.room.group(d)->epoch_authenticator() == e.room.group(0)->epoch_authenticator());
  }
  const device::EncryptedRoom::Counts& n = e.room.counts();
  CHECK(n.welcomes_sent == 2);
  CHECK(n.media_uploads == 1);
  CHECK(n.media_fetches == 1);  // s2 fetched the file once for both devices
  CHECK(n.media_downloads == 2);
  CHECK(n.joins == 2);
  CHECK(n.media_fetches_failed + n.media_downloads_failed + n.events_over_limit == 0);
  // The file crossed the federation once, in the multipart answer.
  const mx::Federation::ContentCount& files = e.w.federation->media_files();
  REQUIRE(files.objects == 1);
  const std::uint64_t file = files.bytes;
  CHECK((4 * file + 2) / 3 + 200 > 65536);  // it would not have fit as a to-device message
  CHECK(federation_bytes(e, "fed_media_download", true) == 2);
  CHECK(federation_bytes(e, "fed_media_download") ==
        mx::kRequestOverhead + mx::kResponseOverhead + mx::kMultipartOverhead + file);
  // Each to-device EDU carries only the reference (envelope 200 + {url, sha256, size} 130).
  CHECK(e.w.federation->to_device_edus().objects == 2);
  CHECK(e.w.federation->to_device_edus().bytes == 2 * 330);
  // Up once with the file (request headers 300, answer 250); down once per device (250 + file).
  CHECK(client_bytes(e, "client_media_upload") == 300 + file + 250);
  CHECK(client_bytes(e, "client_media_download") == 2 * (300 + 250 + file));

  // The same add with the limit lifted: one to-device EDU per device carrying the Welcome in
  // base64 — the file above is that Welcome's binary encoding.
  device::EncryptedRoomConfig lifted = c;
  lifted.max_event_bytes = 1u << 30;
  EncryptedWorld plain(3, kUsersPerServer, lifted);
  REQUIRE(plain.room.add_devices(0, rejoined_devices(plain)).sent);
  plain.run_for(30);
  CHECK(plain.room.counts().joins == 2);
  CHECK(plain.room.counts().media_uploads == 0);
  CHECK(plain.w.federation->media_files().objects == 0);
  CHECK(plain.w.federation->to_device_edus().bytes == 2 * ((4 * file + 2) / 3 + 200));
}

TEST_CASE(
    "media: a target whose server cannot reach the origin fails the download, asks again every "
    "minute and joins after the heal",
    "[device][e2ee][adds][media]") {
  EncryptedWorld e(3, kUsersPerServer);
  const std::vector<DeviceIndex> targets = rejoined_devices(e);
  for (const DeviceIndex d : targets)
    e.links.set_online(e.room.endpoint(d), false);
  REQUIRE(e.room.add_devices(0, targets).sent);
  e.run_for(30);  // the to-device references wait at s2 for the offline devices
  REQUIRE(e.room.counts().welcomes_sent == 2);
  e.w.partition({0, 1, 1});  // s2 can no longer reach the origin s0
  for (const DeviceIndex d : targets)
    e.links.set_online(e.room.endpoint(d), true);
  e.run_for(30);  // the fetch fails: both waiting devices get an error
  const device::EncryptedRoom::Counts& n = e.room.counts();
  CHECK(n.media_fetches == 1);
  CHECK(n.media_fetches_failed == 1);
  CHECK(n.media_downloads_failed == 2);
  for (const DeviceIndex d : targets)
    CHECK(e.room.group(d) == nullptr);
  e.run_for(60);  // a minute later both ask again: one more fetch, failed again
  CHECK(n.media_fetches == 2);
  CHECK(n.media_downloads_failed == 4);
  e.w.heal();
  e.run_for(300);  // the next tries fetch it
  for (const DeviceIndex d : targets) {
    REQUIRE(e.room.group(d) != nullptr);
    CHECK(e.room.group(d)->epoch_authenticator() == e.room.group(0)->epoch_authenticator());
  }
  CHECK(n.media_downloads == 2);
  CHECK(n.joins == 2);
  CHECK(e.w.federation->media_files().objects >= 1);
}

TEST_CASE("media: a download lost with the device's session is asked for again when it is back",
          "[device][e2ee][adds][media]") {
  EncryptedWorld e(3, kUsersPerServer);
  const std::vector<DeviceIndex> targets = rejoined_devices(e);
  REQUIRE(e.room.add_devices(0, targets).sent);
  // Run until both download requests are on their way up, then take one device offline: its
  // request and anything coming down to it are lost with the session.
  const DeviceIndex d = targets[0];
  const auto requests = [&] { return client_bytes(e, "client_media_download", true); };
  while (requests() < 2 && e.w.sim.now() < sim::SimTime::from_seconds(600))
    e.run_for(0.001);
  REQUIRE(requests() == 2);
  e.links.set_online(e.room.endpoint(d), false);
  e.run_for(30);
  CHECK(e.room.group(d) == nullptr);
  e.links.set_online(e.room.endpoint(d), true);
  e.run_for(30);
  REQUIRE(e.room.group(d) != nullptr);
  CHECK(e.room.group(d)->epoch_authenticator() == e.room.group(0)->epoch_authenticator());
  CHECK(e.room.group(targets[1]) != nullptr);
  CHECK(e.room.counts().joins == 2);
}

TEST_CASE(
    "media: devices that drop and regain their session while their files come, over a client hop "
    "of varying delay, all join once",
    "[device][e2ee][adds][media]") {
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    CAPTURE(seed);
    EncryptedWorld e(3, kUsersPerServer, EncryptedWorld::config(),
                     sim::Distribution::uniform(0.001, 0.4), seed);
    const std::vector<DeviceIndex> targets = rejoined_devices(e);
    REQUIRE(e.room.add_devices(0, targets).sent);
    // For ten seconds a target, picked at random, goes offline and straight back now and then:
    // requests, files and answers in flight are lost with the session, and sent again.
    sim::RandomStream toggles(seed, 0, "toggles");
    for (int k = 0; k < 60; ++k) {
      e.run_for(0.2 * toggles.uniform01());
      const DeviceIndex d = targets[toggles.uniform_index(targets.size())];
      e.links.set_online(e.room.endpoint(d), false);
      e.links.set_online(e.room.endpoint(d), true);
    }
    e.run_for(120);
    for (const DeviceIndex d : targets) {
      REQUIRE(e.room.group(d) != nullptr);
      CHECK(e.room.group(d)->epoch_authenticator() == e.room.group(0)->epoch_authenticator());
    }
    CHECK(e.room.counts().joins == 2);
    CHECK(e.room.counts().join_failures == 0);
  }
}
