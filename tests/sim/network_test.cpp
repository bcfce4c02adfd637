#include <algorithm>
#include <catch2/catch.hpp>
#include <vector>

#include "sim/draws_ahead.hpp"
#include "sim/network.hpp"
#include "tests/sim/allocation_counter.hpp"

using namespace dmlssim::sim;
using namespace dmlssim::sim::literals;

namespace {

// Three nodes: n0 and n1 in region a, n2 in region b. a-a 10 ms, a-b 50 ms, b-b 5 ms.
NetworkConfig three_nodes() {
  NetworkConfig c;
  c.region_names = {"a", "b"};
  c.latency_s.resize(2, 2);
  c.latency_s << 0.010, 0.050, 0.050, 0.005;
  c.region_of = {0, 0, 1};
  return c;
}

struct Harness {
  Simulation sim;
  Network net;
  std::vector<std::pair<SimTime, Message>> delivered;
  std::vector<std::pair<SimTime, Message>> failed;
  MessageClass cls;
  explicit Harness(NetworkConfig c)
      : net(sim, std::move(c), RandomStream(1, 0, "jitter"), RandomStream(1, 0, "loss")),
        cls(net.add_class(
            net.add_protocol(
                "test", [this](const Message& m) { delivered.emplace_back(sim.now(), m); },
                [this](const Message& m) { failed.emplace_back(sim.now(), m); }),
            "test")) {}
};

}  // namespace

TEST_CASE("messages arrive after the region-pair latency", "[network]") {
  NetworkConfig c = three_nodes();
  c.per_link_accounting = true;
  Harness h(c);
  h.net.send(0, 1, 100, h.cls, 7);
  h.net.send(0, 2, 100, h.cls, 8);
  h.sim.run();
  REQUIRE(h.delivered.size() == 2);
  CHECK(h.delivered[0].first == 10_ms);
  CHECK(h.delivered[0].second.payload == 7);
  CHECK(h.delivered[1].first == 50_ms);
  CHECK(h.delivered[1].second.to == 2);
  CHECK(h.net.traffic(h.cls).messages == 2);
  CHECK(h.net.traffic(h.cls).bytes == 200);
  CHECK(h.net.link_traffic(0, 2).bytes == 100);
  CHECK(h.net.link_traffic(2, 0).bytes == 0);
  const auto links = h.net.links_with_traffic();
  REQUIRE(links.size() == 2);
  CHECK(links[0].first == std::make_pair(NodeId{0}, NodeId{1}));
  CHECK(h.net.region_traffic(0, 1).bytes == 100);
  CHECK(h.net.region_traffic(0, 0).bytes == 100);
  CHECK(h.net.region_traffic(1, 0).messages == 0);
}

TEST_CASE("bandwidth serializes messages FIFO on the sender's uplink", "[network]") {
  NetworkConfig c = three_nodes();
  c.bandwidth_bps = 8e6;  // 1 MB/s: a 1000-byte message takes 1 ms
  Harness h(c);
  h.net.send(0, 1, 1000, h.cls, 1);
  h.net.send(0, 1, 1000, h.cls, 2);
  h.net.send(1, 0, 1000, h.cls, 3);  // another uplink: not delayed by n0's queue
  h.sim.run();
  REQUIRE(h.delivered.size() == 3);
  CHECK(h.delivered[0].first == 11_ms);
  CHECK(h.delivered[0].second.payload == 1);
  CHECK(h.delivered[1].first == 11_ms);
  CHECK(h.delivered[1].second.payload == 3);
  CHECK(h.delivered[2].first == 12_ms);
}

TEST_CASE("unreachable at send time: the sender learns after the connect timeout", "[network]") {
  NetworkConfig c = three_nodes();
  c.connect_timeout = 10_s;
  Harness h(c);
  h.net.reachability().add_partition("p", {0, 0, 1});
  h.net.send(0, 2, 100, h.cls, 5);
  h.sim.run();
  CHECK(h.delivered.empty());
  REQUIRE(h.failed.size() == 1);
  CHECK(h.failed[0].first == 10_s);
  CHECK(h.failed[0].second.payload == 5);
  CHECK(h.net.traffic(h.cls).failed == 1);
  CHECK(h.net.traffic(h.cls).bytes == 0);
  CHECK(h.net.links_with_traffic().empty());  // per-link accounting is off by default
}

TEST_CASE("cut in flight: the sender learns after the request timeout", "[network]") {
  NetworkConfig c = three_nodes();
  c.request_timeout = 60_s;
  Harness h(c);
  h.net.send(0, 2, 100, h.cls, 5);
  h.sim.schedule(20_ms, [&] { h.net.reachability().add_partition("p", {0, 0, 1}); });
  h.sim.run();
  CHECK(h.delivered.empty());
  REQUIRE(h.failed.size() == 1);
  CHECK(h.failed[0].first == 60_s);
}

TEST_CASE("a receiver that crashed and restarted in flight does not get the message", "[network]") {
  Harness h(three_nodes());
  h.net.send(0, 2, 100, h.cls, 5);
  h.sim.schedule(10_ms, [&] { h.net.reachability().hold_down(2); });
  h.sim.schedule(20_ms, [&] { h.net.reachability().release_down(2); });
  h.sim.run();
  CHECK(h.delivered.empty());
  CHECK(h.failed.size() == 1);
}

TEST_CASE("a sender that crashed is not told of its failed messages", "[network]") {
  Harness h(three_nodes());
  h.net.reachability().add_partition("p", {0, 0, 1});
  h.net.send(0, 2, 100, h.cls, 5);
  h.sim.schedule(1_s, [&] { h.net.reachability().hold_down(0); });
  h.sim.schedule(2_s, [&] { h.net.reachability().release_down(0); });
  h.sim.run();
  CHECK(h.failed.empty());
  CHECK(h.net.traffic(h.cls).failed == 1);
  CHECK_THROWS_AS((h.net.reachability().hold_down(1), h.net.send(1, 0, 1, h.cls, 0)),
                  std::logic_error);
}

TEST_CASE("loss fails the expected fraction of messages", "[network]") {
  NetworkConfig c = three_nodes();
  c.loss = 0.2;
  Harness h(c);
  for (int i = 0; i < 10000; ++i)
    h.net.send(0, 1, 10, h.cls, static_cast<uint64_t>(i));
  h.sim.run();
  CHECK(h.delivered.size() + h.failed.size() == 10000);
  // Binomial(10000, 0.2): sd = 40; allow 4 sd.
  CHECK(std::abs(static_cast<int>(h.failed.size()) - 2000) < 160);
}

TEST_CASE("multiplicative jitter scales latency by a median-1 factor", "[network]") {
  NetworkConfig c = three_nodes();
  c.jitter_mode = JitterMode::kMultiplicative;
  c.jitter = Distribution::lognormal(0, 0.3);
  Harness h(c);
  for (int i = 0; i < 2001; ++i)
    h.net.send(0, 2, 10, h.cls, 0);
  h.sim.run();
  std::vector<int64_t> delays;
  for (const auto& [t, m] : h.delivered)
    delays.push_back(t.ns());
  std::sort(delays.begin(), delays.end());
  const double median = static_cast<double>(delays[1000]) * 1e-9;
  CHECK(median == Approx(0.050).epsilon(0.03));
  CHECK(delays.front() < (40_ms).ns());
  CHECK(delays.back() > (60_ms).ns());
}

TEST_CASE("bad network configurations are rejected", "[network]") {
  Simulation sim;
  NetworkConfig c = three_nodes();
  c.region_of = {0, 5};
  CHECK_THROWS_AS(Network(sim, c, RandomStream(1, 0, "j"), RandomStream(1, 0, "l")),
                  std::invalid_argument);
  c = three_nodes();
  c.loss = 1.5;
  CHECK_THROWS_AS(Network(sim, c, RandomStream(1, 0, "j"), RandomStream(1, 0, "l")),
                  std::invalid_argument);
  Harness h(three_nodes());
  CHECK_THROWS_AS(h.net.send(0, 9, 1, h.cls, 0), std::out_of_range);
  CHECK_THROWS_AS(h.net.send(0, 1, 1, 42, 0), std::out_of_range);
  CHECK(h.net.add_class(h.net.protocol_of(h.cls), "test") == h.cls);
}

TEST_CASE("steady-state message traffic allocates nothing on the heap", "[network]") {
  NetworkConfig c = three_nodes();
  c.jitter_mode = JitterMode::kMultiplicative;
  c.jitter = Distribution::lognormal(0, 0.3);
  c.bandwidth_bps = 1e9;
  Simulation sim;
  Network net(sim, c, RandomStream(1, 0, "j"), RandomStream(1, 0, "l"));
  RandomStream pick(1, 0, "pick");
  uint64_t delivered = 0;
  MessageClass cls = 0;
  cls = net.add_class(net.add_protocol(
                          "ping",
                          [&](const Message& m) {
                            ++delivered;
                            net.send(m.to, static_cast<NodeId>(pick.uniform_index(3)), 500, cls,
                                     m.payload);
                          },
                          nullptr),
                      "ping");
  for (int i = 0; i < 100; ++i)
    net.send(0, static_cast<NodeId>(i % 3), 500, cls, 0);
  // Warm up: the in-flight table and the queue reach their size, and the jitter's draws are
  // taken from the thread that draws them ahead (started, with its blocks, once).
  SimTime warm = 1_s;
  while (delivered < 2 * DrawsAhead::kInlineDraws)
    sim.run_until(warm += 1_s);
  const uint64_t before = dmlssim::testing::allocations_so_far();
  const uint64_t delivered_before = delivered;
  sim.run_until(warm + 90_s);
  CHECK(delivered - delivered_before > 100'000);
  CHECK(dmlssim::testing::allocations_so_far() == before);
}

TEST_CASE("a one-way fault refuses requests that way — responses and the other way pass",
          "[network]") {
  NetworkConfig c = three_nodes();
  c.connect_timeout = 10_s;
  Harness h(c);
  h.net.reachability().hold_one_way_down(0, 1);
  h.net.send(0, 1, 100, h.cls, 1);                  // request s0 -> s1: refused at connect
  h.net.send(1, 0, 100, h.cls, 2);                  // request s1 -> s0: delivered
  h.net.send(0, 1, 100, h.cls, 3, Leg::kResponse);  // s0 answers s1 over s1's connection
  h.net.send(0, 2, 100, h.cls, 4);                  // other destinations are not affected
  h.sim.run();
  std::vector<uint64_t> delivered;
  for (const auto& d : h.delivered)
    delivered.push_back(d.second.payload);
  std::sort(delivered.begin(), delivered.end());
  CHECK(delivered == std::vector<uint64_t>{2, 3, 4});
  REQUIRE(h.failed.size() == 1);
  CHECK(h.failed[0].second.payload == 1);
  CHECK(h.failed[0].first == 10_s);
  h.net.reachability().release_one_way_down(0, 1);
  h.net.send(0, 1, 100, h.cls, 5);
  h.sim.run();
  CHECK(h.delivered.back().second.payload == 5);
}

TEST_CASE("several protocols share the nodes — each gets only its own classes", "[network]") {
  // Federation-like requests and a second protocol (say, to-device delivery) on the same nodes:
  // each handler sees its messages and failures, by class, without looking at payloads.
  Simulation sim;
  NetworkConfig c = three_nodes();
  c.connect_timeout = 1_s;
  Network net(sim, c, RandomStream(1, 0, "j"), RandomStream(1, 0, "l"));
  std::vector<uint64_t> got_a, got_b, failed_a, failed_b;
  const ProtocolId a = net.add_protocol(
      "a", [&](const Message& m) { got_a.push_back(m.payload); },
      [&](const Message& m) { failed_a.push_back(m.payload); });
  const ProtocolId b = net.add_protocol(
      "b", [&](const Message& m) { got_b.push_back(m.payload); },
      [&](const Message& m) { failed_b.push_back(m.payload); });
  const MessageClass a1 = net.add_class(a, "a-request");
  const MessageClass b1 = net.add_class(b, "b-push");
  const MessageClass a2 = net.add_class(a, "a-other");
  CHECK(net.add_class(a, "a-request") == a1);  // idempotent
  CHECK_THROWS_AS(net.add_class(b, "a-request"), std::invalid_argument);
  CHECK_THROWS_AS(net.add_protocol("a", nullptr, nullptr), std::invalid_argument);
  CHECK(net.protocol_of(b1) == b);
  CHECK(net.protocol_of(a2) == a);
  net.send(0, 1, 10, a1, 1);
  net.send(0, 2, 10, b1, 2);
  net.send(1, 0, 10, a2, 3);
  net.reachability().add_partition("p", {0, 0, 1});
  net.send(0, 2, 10, b1, 4);  // cannot connect: b's failure handler hears of it
  sim.run();
  CHECK(got_a == std::vector<uint64_t>{1, 3});
  CHECK(got_b.empty());  // 2 was sent before the split but arrives after it: failed too
  CHECK(failed_a.empty());
  std::sort(failed_b.begin(), failed_b.end());
  CHECK(failed_b == std::vector<uint64_t>{2, 4});
  CHECK(net.protocol_names() == std::vector<std::string>{"a", "b"});
}
