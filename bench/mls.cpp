// MLS commits in a fully populated tree (group_bootstrap.hpp) of `--members` members with the
// `--provider` crypto: creating an empty commit with a path (leaf 0 commits), processing it at
// receivers spread over the tree (without and with a shared transition), an Add commit with its
// Welcome and the newcomer's join; the bytes of each message against the full-tree formula of
// reference/protocols.md §1.7. Times are medians over `--repeat` runs. Last line:
// "members=N provider=P create_ms=X process_ms=X process_shared_ms=X add_ms=X join_ms=X
//  commit_bytes=N update_path_bytes=N welcome_bytes=N application_bytes=N".
#include <algorithm>
#include <boost/program_options.hpp>
#include <chrono>
#include <cmath>
#include <iostream>
#include <vector>

#include "bench/bench_util.hpp"
#include "models/mls/epoch_cache.hpp"
#include "models/mls/group.hpp"

namespace {

namespace mls = dmlssim::models::mls;
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  namespace po = boost::program_options;
  std::uint32_t members = 256;
  int repeat = 21;
  std::string provider = "real";
  po::options_description opts("bench/mls options");
  opts.add_options()("help,h", "show this help")(
      "members", po::value(&members)->default_value(members), "group size (>= 2)")(
      "provider", po::value(&provider)->default_value(provider), "real | fast")(
      "repeat", po::value(&repeat)->default_value(repeat), "timed runs per operation (median)");
  po::variables_map vm;
  int code = 0;
  if (!dmlssim::bench::parse_bench_options(argc, argv, opts, vm, code)) return code;
  const mls::CryptoProvider* crypto = mls::find_crypto_provider(provider);
  if (crypto == nullptr || members < 2 || repeat < 1) {
    std::cerr << "bench/mls: --provider real|fast, --members >= 2, --repeat >= 1\n";
    return 2;
  }
  mls::Drbg drbg(mls::Bytes(32, 1));
  const auto build_start = Clock::now();
  const mls::BootstrappedGroup group =
      mls::bootstrap_group(*crypto, mls::to_bytes("bench"), members, drbg);
  const double build_s = ms_since(build_start) / 1000;
  mls::GroupConfig config;
  config.crypto = crypto;
  mls::Group committer = mls::Group::restore(config, group, 0, drbg.fork());
  const std::vector<mls::LeafIndex> receivers = {1, members / 4 + 1, members / 2 + 1, members - 1};
  std::vector<mls::Group> receiver_groups;
  for (const mls::LeafIndex r : receivers)
    receiver_groups.push_back(mls::Group::restore(config, group, r, drbg.fork()));

  std::vector<double> create, process, process_shared;
  mls::CommitOutput last;
  for (int i = 0; i < repeat; ++i) {
    auto start = Clock::now();
    last = committer.commit();
    create.push_back(ms_since(start));
    committer.discard_pending_commit();
    for (const mls::Group& r : receiver_groups) {
      mls::Group copy = r;
      start = Clock::now();
      copy.handle(last.commit);
      process.push_back(ms_since(start));
    }
    // With a shared transition: the first receiver computes it, the others reuse it.
    mls::GroupConfig shared = config;
    shared.cache = std::make_shared<mls::EpochCache>();
    std::vector<mls::Group> copies;
    for (mls::LeafIndex r : receivers)
      copies.push_back(mls::Group::restore(shared, group, r, drbg.fork()));
    copies.front().handle(last.commit);
    for (std::size_t k = 1; k < copies.size(); ++k) {
      start = Clock::now();
      copies[k].handle(last.commit);
      process_shared.push_back(ms_since(start));
    }
  }
  const std::size_t commit_bytes = mls::encode_one(last.commit).size();
  const auto& framed = std::get<mls::PublicMessage>(last.commit.body).content;
  const mls::UpdatePath& path = *std::get<mls::Commit>(framed.content).path;
  const std::size_t path_bytes = mls::encode_one(path).size();
  const std::size_t leaf_bytes = mls::encode_one(path.leaf_node).size();

  std::vector<double> add, join;
  std::size_t welcome_bytes = 0, add_commit_bytes = 0;
  for (int i = 0; i < repeat; ++i) {
    mls::KeyPackageSecrets secrets;
    const mls::KeyPackage kp = mls::make_key_package(*crypto, mls::to_bytes("@newcomer:bench/DEV"),
                                                     drbg.bytes(32), drbg.bytes(32), drbg.bytes(32),
                                                     mls::Lifetime{0, ~std::uint64_t{0}}, &secrets);
    mls::CommitOptions options;
    options.by_value = {mls::Proposal{mls::AddProposal{kp}}};
    auto start = Clock::now();
    const mls::CommitOutput out = committer.commit(options);
    add.push_back(ms_since(start));
    committer.discard_pending_commit();
    welcome_bytes = mls::encode_one(*out.welcome).size();
    add_commit_bytes = mls::encode_one(out.commit).size();
    if (i < 3) {  // a join validates the whole tree: O(members) signatures
      start = Clock::now();
      mls::Group::join(config, std::get<mls::Welcome>(out.welcome->body), kp, secrets, std::nullopt,
                       {}, drbg.fork());
      join.push_back(ms_since(start));
    }
  }
  const std::size_t app_bytes = mls::encode_one(committer.protect(mls::Bytes(100, 'x'))).size();

  // reference/protocols.md §1.7: a full tree's UpdatePath is the leaf, a vector header, and
  // 35 + 82 bytes per level (one ciphertext per copath node).
  const auto levels = static_cast<std::size_t>(std::ceil(std::log2(members)));
  const std::size_t nodes_bytes = 117 * levels;
  const std::size_t expected_path = leaf_bytes + (nodes_bytes < 64 ? 1 : 2) + nodes_bytes;
  std::cout << "provider " << provider << ", " << members << " members (tree built in " << build_s
            << " s), " << repeat << " runs\n"
            << "commit create " << median(create) << " ms, process " << median(process)
            << " ms (shared transition " << median(process_shared) << " ms)\n"
            << "add commit + welcome " << median(add) << " ms, join " << median(join) << " ms\n"
            << "bytes: commit " << commit_bytes << ", update path " << path_bytes << " (formula "
            << expected_path << ", leaf " << leaf_bytes << "), add commit " << add_commit_bytes
            << ", welcome " << welcome_bytes << ", application(100 B) " << app_bytes
            << "\npeak rss " << dmlssim::bench::peak_rss_kb() << " KiB\n";
  std::cout << "members=" << members << " provider=" << provider << " create_ms=" << median(create)
            << " process_ms=" << median(process) << " process_shared_ms=" << median(process_shared)
            << " add_ms=" << median(add) << " join_ms=" << median(join)
            << " commit_bytes=" << commit_bytes << " update_path_bytes=" << path_bytes
            << " welcome_bytes=" << welcome_bytes << " application_bytes=" << app_bytes << "\n";
  return path_bytes == expected_path ? 0 : 1;
}
