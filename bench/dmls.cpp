// DMLS costs, in two parts (--part pprf|forks|all).
//
// pprf: the puncturable PRF of the DMLS key schedule (draft-kohbrok-mls-dmls §5) at each `--depth`
// reading: evaluating and puncturing random inputs one after another with the `--provider` KDF,
// the time per evaluation (median) and the storage held after 1, 10, 100, ... evaluations (node
// secrets and their positions). One line per depth:
// "depth=D provider=P evaluate_us=X collisions=N held_after_1=N bytes_after_1=B ..."
//
// forks: a group of `--members` members (fully populated tree) splits in two; each side commits
// `--fork-depth` times, one commit a minute; a device of the first side then receives the other
// side's chain. Per (members, depth): the median time to process one commit on the other fork, the
// bytes that device retains beyond RFC 9420's schedule when it keeps every epoch (tree private
// keys, PPRF, message keys), its forward-secrecy exposure until the merge (byte-seconds), and the
// time to plan, commit and process the merge there. One line each: "members=M fork_depth=D
// provider=P process_us=X retained_tree_key_bytes=N retained_pprf_bytes=N
// retained_message_key_bytes=N exposure_byte_s=X merge_ms=X".
#include <algorithm>
#include <boost/program_options.hpp>
#include <chrono>
#include <iostream>
#include <sstream>
#include <vector>

#include "bench/bench_util.hpp"
#include "models/dmls/key_schedule.hpp"
#include "models/dmls/merge.hpp"
#include "models/dmls/pprf.hpp"
#include "models/mls/drbg.hpp"
#include "models/mls/group_bootstrap.hpp"

namespace {

namespace dmls = dmlssim::models::dmls;
namespace mls = dmlssim::models::mls;
namespace sim = dmlssim::sim;
using Clock = std::chrono::steady_clock;

std::vector<unsigned> parse_list(const std::string& text) {
  std::vector<unsigned> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ','))
    out.push_back(static_cast<unsigned>(std::stoul(item)));
  return out;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

void bench_pprf(const mls::CryptoProvider& crypto, const std::string& provider, unsigned depth,
                std::size_t evaluations) {
  mls::Drbg drbg(mls::Bytes(32, 7));
  dmls::PuncturablePrf prf(crypto, drbg.bytes(32), depth);
  std::vector<double> times;
  std::ostringstream storage;
  std::size_t next_report = 1;
  for (std::size_t i = 1; i <= evaluations; ++i) {
    const mls::Bytes input = drbg.bytes(32);
    const auto start = Clock::now();
    const auto out = prf.evaluate(input);
    const double us = std::chrono::duration<double, std::micro>(Clock::now() - start).count();
    // A shallow reading collides once the inputs outnumber its leaves: counted, not timed.
    if (out) times.push_back(us);
    if (i == next_report || i == evaluations) {
      storage << " held_after_" << i << "=" << prf.secrets_held() << " bytes_after_" << i << "="
              << prf.secret_bytes() + prf.position_bytes();
      next_report *= 10;
    }
  }
  std::cout << "depth=" << depth << " provider=" << provider << " evaluate_us=" << median(times)
            << " collisions=" << evaluations - prf.evaluations() << storage.str() << "\n";
}

void bench_forks(const mls::CryptoProvider& crypto, const std::string& provider,
                 std::uint32_t members, unsigned depth) {
  mls::Drbg drbg(mls::Bytes(32, 3));
  const mls::BootstrappedGroup group =
      mls::bootstrap_group(crypto, mls::to_bytes("bench"), members, drbg);
  mls::GroupConfig config;
  config.crypto = &crypto;
  config.successor_init = dmls::dmls_successor_init();
  const mls::LeafIndex other_side = members / 2;
  dmls::EpochTree side_a(crypto, mls::Group::restore(config, group, 0, drbg.fork()));
  dmls::EpochTree side_b(crypto, mls::Group::restore(config, group, other_side, drbg.fork()));
  dmls::EpochTree device(crypto, mls::Group::restore(config, group, 1, drbg.fork()));
  // The split: each side commits once a minute; the device is on side a.
  std::vector<dmls::DmlsMessage> chain_b;
  mls::Bytes head_a = side_a.root(), head_b = side_b.root();
  for (unsigned k = 1; k <= depth; ++k) {
    const sim::SimTime now = sim::kMinute * k;
    for (dmls::EpochTree* t : {&side_a, &side_b, &device})
      t->set_now(now);
    const auto a = side_a.commit(head_a);
    head_a = side_a.receive(a.commit).front().child;
    device.receive(a.commit);
    const auto b = side_b.commit(head_b);
    head_b = side_b.receive(b.commit).front().child;
    chain_b.push_back(b.commit);
  }
  // Healed: the device processes the other side's chain.
  const sim::SimTime healed = sim::kMinute * (depth + 1);
  device.set_now(healed);
  std::vector<double> process;
  for (const dmls::DmlsMessage& m : chain_b) {
    const auto start = Clock::now();
    device.receive(m);
    process.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
  }
  const mls::Group::HeldBytes retained = device.retained_beyond_rfc();
  const dmls::Identities everyone =
      dmls::member_identities(device.group(device.root()).public_state().tree);
  const auto start = Clock::now();
  const dmls::MergePlan plan = dmls::plan_merge(device, dmls::ForkChoice{}, everyone, {}, drbg);
  const auto merge = device.commit(plan.winner, plan.options);
  device.receive(merge.commit);
  const double merge_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  device.set_now(healed + sim::kMinute);
  const dmls::Exposure& e = device.exposure();
  std::cout << "members=" << members << " fork_depth=" << depth << " provider=" << provider
            << " process_us=" << median(process)
            << " retained_tree_key_bytes=" << retained.tree_private_keys
            << " retained_pprf_bytes=" << retained.successor_init
            << " retained_message_key_bytes=" << retained.message_keys
            << " exposure_byte_s=" << e.tree_private_keys + e.successor_init + e.message_keys
            << " merge_ms=" << merge_ms << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  namespace po = boost::program_options;
  std::string part = "all";
  std::string depths_text = "8,32,64,128,256";
  std::string members_text = "16,256,4096";
  std::string fork_depths_text = "1,10,50";
  std::string provider = "fast";
  std::size_t evaluations = 1000;
  po::options_description opts("bench/dmls options");
  opts.add_options()("help,h", "show this help")("part", po::value(&part)->default_value(part),
                                                 "pprf | forks | all")(
      "depth", po::value(&depths_text)->default_value(depths_text),
      "pprf: PPRF depths, comma-separated (1..256)")(
      "evaluations", po::value(&evaluations)->default_value(evaluations),
      "pprf: inputs evaluated and punctured per depth (>= 1)")(
      "members", po::value(&members_text)->default_value(members_text),
      "forks: group sizes, comma-separated (>= 4)")(
      "fork-depth", po::value(&fork_depths_text)->default_value(fork_depths_text),
      "forks: commits on each side of the split, comma-separated (>= 1)")(
      "provider", po::value(&provider)->default_value(provider), "real | fast");
  po::variables_map vm;
  int code = 0;
  if (!dmlssim::bench::parse_bench_options(argc, argv, opts, vm, code)) return code;
  const mls::CryptoProvider* crypto = mls::find_crypto_provider(provider);
  std::vector<unsigned> depths, sizes, fork_depths;
  try {
    depths = parse_list(depths_text);
    sizes = parse_list(members_text);
    fork_depths = parse_list(fork_depths_text);
  } catch (const std::exception&) {
    depths.clear();
  }
  const auto all_within = [](const std::vector<unsigned>& v, unsigned lo, unsigned hi) {
    return !v.empty() &&
           std::all_of(v.begin(), v.end(), [&](unsigned x) { return x >= lo && x <= hi; });
  };
  const bool ok = crypto != nullptr && (part == "pprf" || part == "forks" || part == "all") &&
                  all_within(depths, 1, dmls::PuncturablePrf::kFullDepth) && evaluations >= 1 &&
                  all_within(sizes, 4, 1u << 20) && all_within(fork_depths, 1, 10000);
  if (!ok) {
    std::cerr << "bench/dmls: --part pprf|forks|all, --provider real|fast, --depth in 1..256, "
                 "--evaluations >= 1, --members >= 4, --fork-depth >= 1 (lists comma-separated)\n";
    return 2;
  }
  if (part != "forks") {
    for (const unsigned depth : depths)
      bench_pprf(*crypto, provider, depth, evaluations);
  }
  if (part != "pprf") {
    for (const unsigned m : sizes) {
      for (const unsigned d : fork_depths)
        bench_forks(*crypto, provider, m, d);
    }
  }
  return 0;
}
