// DMLS costs. This first part measures the puncturable PRF of the DMLS key schedule
// (draft-kohbrok-mls-dmls §5) at each `--depth` reading: evaluating and puncturing random inputs
// one after another with the `--provider` KDF, the time per evaluation (median of the runs) and the
// storage held after 1, 10, 100, ... evaluations (node secrets, and their positions in the tree).
// One line per depth:
// "depth=D provider=P evaluate_us=X held_after_1=N bytes_after_1=B ... held_after_K=N
// bytes_after_K=B" where bytes = secret bytes + position bytes.
#include <algorithm>
#include <boost/program_options.hpp>
#include <chrono>
#include <iostream>
#include <sstream>
#include <vector>

#include "bench/bench_util.hpp"
#include "models/dmls/pprf.hpp"
#include "models/mls/drbg.hpp"

namespace {

namespace dmls = dmlssim::models::dmls;
namespace mls = dmlssim::models::mls;
using Clock = std::chrono::steady_clock;

std::vector<unsigned> parse_depths(const std::string& text) {
  std::vector<unsigned> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ','))
    out.push_back(static_cast<unsigned>(std::stoul(item)));
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  namespace po = boost::program_options;
  std::string depths_text = "8,32,64,128,256";
  std::string provider = "fast";
  std::size_t evaluations = 1000;
  po::options_description opts("bench/dmls options");
  opts.add_options()("help,h", "show this help")(
      "depth", po::value(&depths_text)->default_value(depths_text),
      "PPRF depths to measure, comma-separated (1..256)")(
      "provider", po::value(&provider)->default_value(provider), "real | fast")(
      "evaluations", po::value(&evaluations)->default_value(evaluations),
      "inputs evaluated and punctured per depth (>= 1)");
  po::variables_map vm;
  int code = 0;
  if (!dmlssim::bench::parse_bench_options(argc, argv, opts, vm, code)) return code;
  const mls::CryptoProvider* crypto = mls::find_crypto_provider(provider);
  std::vector<unsigned> depths;
  try {
    depths = parse_depths(depths_text);
  } catch (const std::exception&) {
    depths.clear();
  }
  const bool depths_ok =
      !depths.empty() && std::all_of(depths.begin(), depths.end(), [](unsigned d) {
        return d >= 1 && d <= dmls::PuncturablePrf::kFullDepth;
      });
  if (crypto == nullptr || !depths_ok || evaluations < 1) {
    std::cerr << "bench/dmls: --provider real|fast, --depth d1,d2,... in 1..256, "
                 "--evaluations >= 1\n";
    return 2;
  }
  for (const unsigned depth : depths) {
    mls::Drbg drbg(mls::Bytes(32, 7));
    dmls::PuncturablePrf prf(*crypto, drbg.bytes(32), depth);
    std::vector<double> times;
    std::ostringstream storage;
    std::size_t next_report = 1;
    for (std::size_t i = 1; i <= evaluations; ++i) {
      const mls::Bytes input = drbg.bytes(32);
      const auto start = Clock::now();
      const auto out = prf.evaluate(input);
      times.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
      if (!out) {
        // A shallow reading collides once the inputs outnumber its leaves: counted, not timed.
        times.pop_back();
      }
      if (i == next_report || i == evaluations) {
        storage << " held_after_" << i << "=" << prf.secrets_held() << " bytes_after_" << i << "="
                << prf.secret_bytes() + prf.position_bytes();
        next_report *= 10;
      }
    }
    std::sort(times.begin(), times.end());
    const double median = times.empty() ? 0.0 : times[times.size() / 2];
    std::cout << "depth=" << depth << " provider=" << provider << " evaluate_us=" << median
              << " collisions=" << evaluations - prf.evaluations() << storage.str() << "\n";
  }
  return 0;
}
