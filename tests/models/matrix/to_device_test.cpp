// To-device messages ride in the federation transactions (m.direct_to_device EDUs) with the PDUs'
// back-off and catch-up, and are kept until delivered; key claims are a federation request whose
// answer the destination's key service makes.
#include <catch2/catch.hpp>

#include "tests/models/matrix/federation_fixture.hpp"

using dmlssim::testing::FederationWorld;
namespace mx = dmlssim::models::matrix;
namespace sim = dmlssim::sim;
using sim::SimTime;

namespace {

struct Received {
  sim::NodeId server, origin;
  std::uint32_t id;
  SimTime at;
};

struct ToDeviceWorld {
  FederationWorld w{3, 2};
  std::vector<Received> received;
  ToDeviceWorld() {
    w.federation->signals().to_device_received.connect(
        [this](sim::NodeId s, sim::NodeId origin, mx::ToDevice m) {
          received.push_back({s, origin, m.id, w.sim.now()});
        });
  }
  void run_for(double s) { w.sim.run_until(w.sim.now() + SimTime::from_seconds(s)); }
  std::uint64_t class_bytes(const std::string& name) const {
    const auto& names = w.network.class_names();
    for (std::size_t c = 0; c < names.size(); ++c)
      if (names[c] == name) return w.network.traffic(static_cast<sim::MessageClass>(c)).bytes;
    return 0;
  }
};

}  // namespace

TEST_CASE("to-device: an EDU reaches the destination in a transaction, with its bytes",
          "[matrix][to_device]") {
  ToDeviceWorld t;
  const std::uint64_t before = t.class_bytes("fed_send");
  REQUIRE(t.w.federation->server(0).send_to_device(2, mx::ToDevice{7, 5000}));
  t.run_for(5);
  REQUIRE(t.received.size() == 1);
  CHECK(t.received[0].server == 2);
  CHECK(t.received[0].origin == 0);
  CHECK(t.received[0].id == 7);
  CHECK(t.received[0].at > SimTime());
  // One EDU-only transaction: request with the EDU's bytes, an empty answer.
  CHECK(t.class_bytes("fed_send") - before ==
        mx::kRequestOverhead + 60 + 5001 + mx::kResponseOverhead);
  // To the server itself: at once, no traffic.
  REQUIRE(t.w.federation->server(1).send_to_device(1, mx::ToDevice{8, 100}));
  CHECK(t.received.size() == 2);
  CHECK(t.received[1].at == t.w.sim.now());
}

TEST_CASE("to-device: kept through a partition and the back-off, delivered once after the heal",
          "[matrix][to_device]") {
  ToDeviceWorld t;
  t.w.partition({0, 0, 1});
  for (std::uint32_t i = 0; i < 150; ++i)
    REQUIRE(t.w.federation->server(0).send_to_device(2, mx::ToDevice{i, 200}));
  t.run_for(60);
  CHECK(t.received.empty());
  CHECK(t.w.federation->server(0).backing_off(2));
  t.w.heal();
  t.run_for(3600);  // the back-off (10 min x jitter) ends; the catch-up loop sends them
  REQUIRE(t.received.size() == 150);
  for (std::uint32_t i = 0; i < 150; ++i)
    CHECK(t.received[i].id == i);  // in order, each once
  // At most 100 per transaction: at least two transactions after the heal.
  CHECK(t.received[99].at < t.received[100].at);
}

TEST_CASE("key claims: the destination's service answers — a cut destination fails the claim",
          "[matrix][to_device]") {
  ToDeviceWorld t;
  // Without a key service there is no claim (and no traffic class for it).
  CHECK_FALSE(t.w.federation->server(0).claim_keys(1, 1, 2));
  CHECK(t.class_bytes("fed_keys_claim") == 0);
  std::vector<std::pair<sim::NodeId, std::uint32_t>> claimed_at;
  t.w.federation->enable_key_claims([&](sim::NodeId server, std::uint32_t id) {
    claimed_at.emplace_back(server, id);
    return std::uint32_t{600};
  });
  std::vector<std::tuple<sim::NodeId, sim::NodeId, std::uint32_t, bool>> done;
  t.w.federation->signals().keys_claimed.connect([&](sim::NodeId s, sim::NodeId d, std::uint32_t id,
                                                     bool ok) { done.emplace_back(s, d, id, ok); });
  REQUIRE(t.w.federation->server(0).claim_keys(1, 41, 2));
  t.run_for(5);
  REQUIRE(claimed_at.size() == 1);
  CHECK(claimed_at[0] == std::make_pair(sim::NodeId{1}, std::uint32_t{41}));
  REQUIRE(done.size() == 1);
  CHECK(done[0] == std::make_tuple(sim::NodeId{0}, sim::NodeId{1}, std::uint32_t{41}, true));
  CHECK(t.class_bytes("fed_keys_claim") == mx::kRequestOverhead +
                                               2 * mx::Federation::kClaimBytesPerDevice +
                                               mx::kResponseOverhead + 600);
  t.w.partition({0, 1, 1});
  REQUIRE(t.w.federation->server(0).claim_keys(2, 42, 1));
  t.run_for(120);
  REQUIRE(done.size() == 2);
  CHECK(done[1] == std::make_tuple(sim::NodeId{0}, sim::NodeId{2}, std::uint32_t{42}, false));
  CHECK(claimed_at.size() == 1);  // never reached s2
  CHECK(t.w.federation->server(0).backing_off(2));
}

TEST_CASE(
    "media download: the origin's service answers with the file — a 404 and a cut origin fail it",
    "[matrix][to_device][media]") {
  ToDeviceWorld t;
  CHECK_FALSE(t.w.federation->server(0).download_media(1, 3));  // no media service yet
  CHECK(t.class_bytes("fed_media_download") == 0);
  t.w.federation->enable_media([](sim::NodeId server, std::uint32_t id) {
    return server == 1 && id == 3 ? std::uint32_t{70'000} : std::uint32_t{0};
  });
  std::vector<std::tuple<sim::NodeId, sim::NodeId, std::uint32_t, bool>> done;
  t.w.federation->signals().media_downloaded.connect(
      [&](sim::NodeId s, sim::NodeId d, std::uint32_t id, bool ok) {
        done.emplace_back(s, d, id, ok);
      });
  REQUIRE(t.w.federation->server(0).download_media(1, 3));
  t.run_for(5);
  REQUIRE(done.size() == 1);
  CHECK(done[0] == std::make_tuple(sim::NodeId{0}, sim::NodeId{1}, std::uint32_t{3}, true));
  // GET with headers; the multipart answer: its framing and the file.
  CHECK(t.class_bytes("fed_media_download") ==
        mx::kRequestOverhead + mx::kResponseOverhead + mx::kMultipartOverhead + 70'000);
  CHECK(t.w.federation->media_files().objects == 1);
  CHECK(t.w.federation->media_files().bytes == 70'000);
  // A file the destination does not hold: answered (no back-off), but nothing came.
  REQUIRE(t.w.federation->server(0).download_media(2, 3));
  t.run_for(5);
  REQUIRE(done.size() == 2);
  CHECK(done[1] == std::make_tuple(sim::NodeId{0}, sim::NodeId{2}, std::uint32_t{3}, false));
  CHECK_FALSE(t.w.federation->server(0).backing_off(2));
  CHECK(t.w.federation->media_files().objects == 1);
  // A cut origin: the request times out and the server backs off from it.
  t.w.partition({0, 1, 1});
  REQUIRE(t.w.federation->server(0).download_media(1, 3));
  t.run_for(120);
  REQUIRE(done.size() == 3);
  CHECK(done[2] == std::make_tuple(sim::NodeId{0}, sim::NodeId{1}, std::uint32_t{3}, false));
  CHECK(t.w.federation->server(0).backing_off(1));
}
