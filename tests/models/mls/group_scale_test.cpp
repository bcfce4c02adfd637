// A 64-member group over 500 epochs of random adds, removes, updates by reference and empty
// commits, on both providers: after every commit every member's epoch_authenticator agrees,
// application messages decrypt everywhere, and every message has the same size with `fast` as
// with `real` (the fast stand-ins keep the RFC's encodings byte for byte).
#include <catch2/catch.hpp>

#include "models/mls/epoch_cache.hpp"
#include "sim/random.hpp"
#include "tests/models/mls/group_harness.hpp"

namespace mls = dmlssim::models::mls;
using dmlssim::testing::GroupHarness;

namespace {

struct ScriptResult {
  std::vector<std::size_t> sizes;  // every commit, Welcome and application message, in order
  std::vector<mls::Bytes> authenticators;
  std::uint64_t disagreements = 0;
  std::uint64_t undelivered = 0;
  std::uint64_t cache_hits = 0;
};

template <typename T>
T pick(dmlssim::sim::RandomStream& rng, const std::vector<T>& from) {
  return from[rng.uniform_index(from.size())];
}

ScriptResult run_script(const mls::CryptoProvider& crypto, int epochs, bool shared_cache) {
  mls::GroupConfig config;
  config.crypto = &crypto;
  if (shared_cache) config.cache = std::make_shared<mls::EpochCache>();
  GroupHarness h(config, 7);
  dmlssim::sim::RandomStream rng(42, 0, "mls/group-scale");
  ScriptResult out;
  auto record = [&](const mls::CommitOutput& c) {
    out.sizes.push_back(mls::encode_one(c.commit).size());
    if (c.welcome) out.sizes.push_back(mls::encode_one(*c.welcome).size());
    if (!h.agree()) ++out.disagreements;
    out.authenticators.push_back(h.group(h.members().front()).epoch_authenticator());
  };
  auto add = [&](int committer, int count, bool path) {
    mls::CommitOptions o;
    o.force_path = path;
    std::vector<int> joiners;
    for (int i = 0; i < count; ++i) {
      joiners.push_back(h.new_client());
      o.by_value.push_back(mls::Proposal{mls::AddProposal{h.client(joiners.back()).key_package}});
    }
    return h.commit(committer, o, joiners);
  };

  const int founder = h.new_client();
  h.create(founder);
  while (h.members().size() < 64) {
    const int n = std::min<int>(9, 64 - static_cast<int>(h.members().size()));
    record(add(pick(rng, h.members()), n, true));
  }
  for (int epoch = 0; epoch < epochs; ++epoch) {
    const std::vector<int> members = h.members();
    const int committer = pick(rng, members);
    const double op = rng.uniform01();
    if (op < 0.3) {
      // Remove someone (by reference, from a third member) and add a newcomer by value.
      int victim = pick(rng, members);
      while (victim == committer)
        victim = pick(rng, members);
      const int proposer = pick(rng, members);
      h.broadcast(h.group(proposer).propose(
          mls::Proposal{mls::RemoveProposal{h.group(victim).own_leaf()}}));
      const int joiner = h.new_client();
      mls::CommitOptions o;
      o.by_value.push_back(mls::Proposal{mls::AddProposal{h.client(joiner).key_package}});
      record(h.commit(committer, o, {joiner}));
    } else if (op < 0.6) {
      int updater = pick(rng, members);
      while (updater == committer)
        updater = pick(rng, members);
      h.broadcast(h.group(updater).propose_update());
      record(h.commit(committer));
    } else if (op < 0.8) {
      record(h.commit(committer));  // an empty commit: a path, for post-compromise security
    } else {
      record(add(committer, 1, false));  // a partial commit: Add without path
      int victim = pick(rng, h.members());
      while (victim == committer)
        victim = pick(rng, h.members());
      mls::CommitOptions o;
      o.by_value.push_back(mls::Proposal{mls::RemoveProposal{h.group(victim).own_leaf()}});
      record(h.commit(committer, o));
    }
    // One application message per epoch reaches every other member.
    const int sender = pick(rng, h.members());
    const mls::MlsMessage m = h.group(sender).protect(mls::to_bytes("epoch message"));
    out.sizes.push_back(mls::encode_one(m).size());
    for (const auto& [member, received] : h.broadcast(m, sender)) {
      if (*received.application_data != mls::to_bytes("epoch message")) ++out.undelivered;
    }
  }
  if (config.cache) out.cache_hits = config.cache->hits();
  return out;
}

}  // namespace

TEST_CASE("64 members, 500 epochs: agreement after every commit with either provider",
          "[mls][group][scale][slow]") {
  const ScriptResult real = run_script(mls::real_crypto(), 500, true);
  const ScriptResult fast = run_script(mls::fast_crypto(), 500, true);
  CHECK(real.disagreements == 0);
  CHECK(fast.disagreements == 0);
  CHECK(real.undelivered == 0);
  CHECK(fast.undelivered == 0);
  CHECK(real.authenticators.size() > 500);
  // Same operations, same encodings: every message has the same length.
  CHECK(real.sizes == fast.sizes);
  // Different cryptography, different secrets.
  CHECK(real.authenticators.back() != fast.authenticators.back());
  CHECK(real.cache_hits > 0);
}

TEST_CASE("sharing epoch transitions changes no result", "[mls][group]") {
  const ScriptResult shared = run_script(mls::fast_crypto(), 40, true);
  const ScriptResult alone = run_script(mls::fast_crypto(), 40, false);
  CHECK(shared.authenticators == alone.authenticators);
  CHECK(shared.sizes == alone.sizes);
  CHECK(shared.cache_hits > 1000);
  CHECK(alone.cache_hits == 0);
}

TEST_CASE("members of an epoch share one copy of its secrets through the epoch cache",
          "[mls][group]") {
  for (const bool shared : {true, false}) {
    INFO("cache " << shared);
    mls::GroupConfig config;
    config.crypto = &mls::fast_crypto();
    if (shared) config.cache = std::make_shared<mls::EpochCache>();
    dmlssim::testing::GroupHarness h(config);
    const std::vector<int> abc = h.found(3);
    const int a = abc[0], b = abc[1], c = abc[2];
    h.commit(b);  // a and c process b's commit; b merges its own
    REQUIRE(h.agree());
    const mls::EpochSecrets& of_a = h.group(a).epoch_secrets();
    CHECK(of_a.epoch_authenticator == h.group(c).epoch_secrets().epoch_authenticator);
    CHECK((&of_a == &h.group(c).epoch_secrets()) == shared);
    CHECK((&of_a == &h.group(b).epoch_secrets()) == shared);
    // A copy of a member's group shares them in any case.
    const mls::Group copy = h.group(a);
    CHECK(&copy.epoch_secrets() == &of_a);
  }
}
