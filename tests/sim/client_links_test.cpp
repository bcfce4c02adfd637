// The client-server hop: endpoints behind a node, online or offline, protocols by class.
#include <catch2/catch.hpp>
#include <tuple>
#include <vector>

#include "sim/client_links.hpp"

using namespace dmlssim::sim;
using namespace dmlssim::sim::literals;

namespace {
struct Harness {
  Simulation sim;
  Reachability reach{2};
  ClientLinks links{sim, reach, Distribution::constant(0.05), RandomStream(1, 0, "client")};
  std::vector<std::pair<SimTime, ClientMessage>> got, failed;
  MessageClass cls;
  Harness()
      : cls(links.add_class(
            links.add_protocol(
                "test", [this](const ClientMessage& m) { got.emplace_back(sim.now(), m); },
                [this](const ClientMessage& m) { failed.emplace_back(sim.now(), m); }),
            "test")) {}
};
}  // namespace

TEST_CASE("messages cross the client hop both ways after its latency", "[client_links]") {
  Harness h;
  const EndpointId phone = h.links.attach(1);
  CHECK(h.links.node_of(phone) == 1);
  h.links.send_down(phone, 100, h.cls, 7);
  h.links.send_up(phone, 50, h.cls, 8);
  h.sim.run();
  REQUIRE(h.got.size() == 2);
  CHECK(h.got[0].first == 50_ms);
  CHECK_FALSE(h.got[0].second.up);
  CHECK(h.got[1].second.up);
  CHECK(h.got[1].second.payload == 8);
  CHECK(h.links.traffic(h.cls).bytes == 150);
}

TEST_CASE("an endpoint that goes offline loses what is on its way — a crash loses it too",
          "[client_links]") {
  Harness h;
  const EndpointId phone = h.links.attach(0);
  std::vector<std::pair<EndpointId, bool>> changes;
  h.links.add_online_listener([&](EndpointId e, bool online) { changes.emplace_back(e, online); });
  h.links.send_down(phone, 100, h.cls, 1);
  h.sim.schedule(10_ms, [&] { h.links.set_online(phone, false); });
  h.sim.schedule(20_ms, [&] { h.links.set_online(phone, true); });  // back, but a new session
  h.sim.run();
  CHECK(h.got.empty());
  CHECK(h.links.traffic(h.cls).failed == 1);
  CHECK(changes == std::vector<std::pair<EndpointId, bool>>{{phone, false}, {phone, true}});
  // Up to a node that crashes before the message arrives: the endpoint is told.
  h.links.send_up(phone, 10, h.cls, 2);
  h.sim.schedule(10_ms, [&] { h.reach.hold_down(0); });
  h.sim.run();
  REQUIRE(h.failed.size() == 1);
  CHECK(h.failed[0].second.payload == 2);
  CHECK_THROWS_AS(h.links.send_down(phone, 1, h.cls, 3), std::logic_error);  // node down
  h.links.set_online(phone, false);
  CHECK_THROWS_AS(h.links.send_up(phone, 1, h.cls, 4), std::logic_error);  // offline
}

TEST_CASE("a protocol hears which of its messages arrive next, and how far ahead",
          "[client_links]") {
  Harness h;
  const EndpointId a = h.links.attach(0), b = h.links.attach(1), c = h.links.attach(1);
  std::vector<std::tuple<EndpointId, bool, unsigned>> hints;
  h.links.set_hint(h.links.add_protocol("other", nullptr, nullptr),
                   [&](EndpointId, bool, unsigned) { FAIL("another protocol's hint"); });
  h.links.set_hint(
      0, [&](EndpointId e, bool up, unsigned ahead) { hints.emplace_back(e, up, ahead); });
  h.links.send_down(a, 10, h.cls, 1);
  h.links.send_up(b, 10, h.cls, 2);
  h.links.send_down(c, 10, h.cls, 3);
  h.links.send_down(a, 10, h.cls, 4);
  h.sim.schedule(10_ms, [] {});
  h.sim.run_until(10_ms);
  // While the 10 ms event runs, the four arrivals (all at 50 ms, in the order sent) are the next
  // events: the protocol hears of the first three; the fourth, as far ahead as hints go, is
  // ClientLinks' own (it starts loading the message).
  using Hints = std::vector<std::tuple<EndpointId, bool, unsigned>>;
  CHECK(hints == Hints{{a, false, 1}, {b, true, 2}, {c, false, 3}});
  h.sim.run();
  CHECK(h.got.size() == 4);
}
