// Fork choice: each rule picks its winner in a split where the rules disagree, every device holding
// the same epochs picks the same one, and the first differing commits — not the heads — decide.
#include <catch2/catch.hpp>

#include "models/dmls/fork_choice.hpp"
#include "tests/models/dmls/dmls_world.hpp"

namespace dmls = dmlssim::models::dmls;
namespace mls = dmlssim::models::mls;
using dmlssim::testing::DmlsWorld;

namespace {

// Side a: devices 0 and 1; side b: devices 2 and 3. Side a commits twice (0, then 0 again) and
// only device 0 acts there; side b commits once (device 2, removing device 1) and device 3 sends.
// Afterwards devices 0 and 3 hold every epoch.
struct Split {
  DmlsWorld w;
  mls::Bytes a1, a2, b1;
  std::function<std::string(const mls::Bytes&)> by_side;
  explicit Split(std::uint8_t seed = 1) : w(4, seed), by_side(w.servers({"a", "a", "b", "b"})) {
    const auto x = w.tree(0).commit(w.root);
    a1 = w.deliver_all(x.commit, {0, 1, 3});
    const auto x2 = w.tree(0).commit(a1);
    a2 = w.deliver_all(x2.commit, {0, 1, 3});
    mls::CommitOptions remove;
    remove.by_value.push_back(
        mls::Proposal{mls::RemoveProposal{w.tree(1).group(w.root).own_leaf()}});
    const auto y = w.tree(2).commit(w.root, remove);
    b1 = w.deliver_all(y.commit, {2, 3, 0});
    w.deliver_all(w.tree(3).protect(b1, mls::to_bytes("side b speaks")), {0, 2});
  }
  dmls::ForkChoice choice(dmls::ForkRule rule) const { return dmls::ForkChoice{std::move(rule)}; }
  dmls::ForkChoice powers(std::vector<std::string> order) const {
    return choice(dmls::powers_rule(std::move(order), by_side));
  }
  dmls::ForkChoice hub(std::string server) const {
    return choice(dmls::hub_rule(std::move(server), by_side));
  }
  mls::Bytes winner(const dmls::ForkChoice& c, int device = 0) const {
    return dmls::choose_fork(w.tree(device), w.tree(device).heads(), c);
  }
};

bool higher(const mls::Bytes& x, const mls::Bytes& y) {
  return std::lexicographical_compare(y.begin(), y.end(), x.begin(), x.end());
}

}  // namespace

TEST_CASE("each fork-choice rule picks its own winner when the rules disagree", "[dmls]") {
  Split s;
  REQUIRE(s.w.tree(0).heads().size() == 2);
  CHECK(s.winner(s.choice(dmls::longer_chain_rule())) == s.a2);
  CHECK(s.winner(s.choice(dmls::larger_side_rule())) == s.b1);  // devices 2 and 3 against 0
  CHECK(s.winner(s.choice(dmls::recent_remove_rule())) == s.b1);
  CHECK(s.winner(s.powers({"b", "a"})) == s.b1);
  CHECK(s.winner(s.powers({"a", "b"})) == s.a2);
  CHECK(s.winner(s.hub("a")) == s.a2);
  CHECK(s.winner(s.hub("b")) == s.b1);
  // The hash rules compare the first differing commits: a1 against b1.
  const auto& t = s.w.tree(0);
  CHECK(
      s.winner(s.choice(dmls::confirmation_tag_rule())) ==
      (higher(t.record(s.a1).confirmation_tag(), t.record(s.b1).confirmation_tag()) ? s.a2 : s.b1));
  CHECK(s.winner(s.choice(dmls::transcript_hash_rule())) ==
        (higher(t.record(s.a1).confirmed_transcript_hash(),
                t.record(s.b1).confirmed_transcript_hash())
             ? s.a2
             : s.b1));
  // Every device holding both forks agrees, whatever order it learnt them in.
  for (const dmls::ForkRule& rule : {dmls::longer_chain_rule(), dmls::larger_side_rule(),
                                     dmls::confirmation_tag_rule(), dmls::transcript_hash_rule()}) {
    CHECK(s.winner(s.choice(rule), 3) == s.winner(s.choice(rule), 0));
  }
}

TEST_CASE("the hash rules look at the first differing commit, not at the heads", "[dmls]") {
  // Across seeds, find a split where the heads' tags order the forks one way and the first
  // differing commits' tags the other: the rule must follow the first differing commits.
  int decisive = 0;
  for (std::uint8_t seed = 1; seed <= 12 && decisive == 0; ++seed) {
    Split s(seed);
    const auto& t = s.w.tree(0);
    const bool heads_say_a =
        higher(t.record(s.a2).confirmation_tag(), t.record(s.b1).confirmation_tag());
    const bool first_say_a =
        higher(t.record(s.a1).confirmation_tag(), t.record(s.b1).confirmation_tag());
    if (heads_say_a == first_say_a) continue;
    ++decisive;
    CHECK(s.winner(s.choice(dmls::confirmation_tag_rule())) == (first_say_a ? s.a2 : s.b1));
  }
  CHECK(decisive == 1);
}

TEST_CASE("a descendant beats its ancestor — ties fall back to the confirmation tag", "[dmls]") {
  Split s;
  const auto& t = s.w.tree(0);
  dmls::ForkChoice c;
  CHECK(dmls::beats(t, s.a2, s.a1, c));
  CHECK_FALSE(dmls::beats(t, s.a1, s.a2, c));
  CHECK_FALSE(dmls::beats(t, s.a2, s.a2, c));
  // Powers naming neither side: a tie, decided by the tag.
  CHECK(s.winner(s.powers({"elsewhere"})) == s.winner(s.choice(dmls::confirmation_tag_rule())));
  CHECK_THROWS_AS(dmls::choose_fork(t, {}, c), std::invalid_argument);
  CHECK_THROWS_AS(dmls::choose_fork(t, {mls::Bytes(32, 9)}, c), std::out_of_range);
}

TEST_CASE("servers of fork-choice rules come from Matrix user IDs", "[dmls]") {
  CHECK(dmls::matrix_server_of(mls::to_bytes("@alice:example.org/DEVICE")) == "example.org");
  CHECK(dmls::matrix_server_of(mls::to_bytes("@bob:hs2")) == "hs2");
  CHECK(dmls::matrix_server_of(mls::to_bytes("no-server")).empty());
}
