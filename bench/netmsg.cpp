// Servers exchanging messages through sim::Network: a region latency matrix (three regions),
// lognormal jitter, byte accounting per class and region pair (optionally per link), and a
// delivery callback that answers every message with a new one to a uniformly random server.
// `--inflight` messages per server circulate. Last line: "messages_per_s=N peak_rss_kb=N".
#include <boost/program_options.hpp>
#include <chrono>
#include <iostream>

#include "bench/bench_util.hpp"
#include "sim/network.hpp"

namespace {
using namespace dmlssim::sim;

NetworkConfig config(uint32_t servers, bool per_link) {
  NetworkConfig c;
  c.region_names = {"eu", "us", "asia"};
  c.latency_s.resize(3, 3);
  c.latency_s << 0.008, 0.045, 0.110, 0.045, 0.020, 0.075, 0.110, 0.075, 0.025;
  for (uint32_t i = 0; i < servers; ++i)
    c.region_of.push_back(static_cast<uint16_t>(i % 3));
  c.jitter_mode = JitterMode::kMultiplicative;
  c.jitter = Distribution::lognormal(0, 0.3);
  c.bandwidth_bps = 1e9;
  c.per_link_accounting = per_link;
  return c;
}
}  // namespace

int main(int argc, char** argv) {
  namespace po = boost::program_options;
  uint32_t servers = 1000;
  uint64_t messages = 10'000'000;
  uint32_t inflight = 4;
  po::options_description opts("netmsg options");
  opts.add_options()("help", "show this help")(
      "servers", po::value(&servers)->default_value(servers), "servers")(
      "messages", po::value(&messages)->default_value(messages), "messages to deliver")(
      "inflight", po::value(&inflight)->default_value(inflight), "messages circulating per server")(
      "per-link", "also count traffic per (from, to) pair");
  po::variables_map vm;
  if (int code = 0; !dmlssim::bench::parse_bench_options(argc, argv, opts, vm, code)) return code;

  Simulation sim;
  Network net(sim, config(servers, vm.count("per-link") > 0), RandomStream(42, 0, "jitter"),
              RandomStream(42, 0, "loss"));
  RandomStream pick(42, 0, "destinations");
  uint64_t delivered = 0;
  MessageClass cls = 0;
  const ProtocolId protocol = net.add_protocol(
      "bench",
      [&](const Message& m) {
        ++delivered;
        net.send(m.to, static_cast<NodeId>(pick.uniform_index(servers)), 1200, cls, m.payload + 1);
      },
      nullptr);
  cls = net.add_class(protocol, "bench");
  for (uint32_t s = 0; s < servers; ++s) {
    for (uint32_t k = 0; k < inflight; ++k)
      net.send(s, static_cast<NodeId>(pick.uniform_index(servers)), 1200, cls, 0);
  }
  const auto start = std::chrono::steady_clock::now();
  while (delivered < messages)
    sim.run_until(sim.now() + kSecond);
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "servers=" << servers << " delivered=" << delivered
            << " bytes=" << net.traffic(cls).bytes << " links=" << net.links_with_traffic().size()
            << " wall_s=" << wall << " sim_time_s=" << sim.now().seconds() << "\n";
  std::cout << "messages_per_s=" << static_cast<uint64_t>(static_cast<double>(delivered) / wall)
            << " peak_rss_kb=" << dmlssim::bench::peak_rss_kb() << "\n";
  return 0;
}
