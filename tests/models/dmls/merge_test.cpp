// Merging forks: two-way, three-way and nested splits converge to one epoch in which every member's
// epoch_authenticator agrees; the room's membership decides who stays; a device removed on one side
// decrypts nothing sent after the merge — unless a strategy takes the winning fork's membership,
// which the read audit counts; losing heads' key material is carried as PSKs.
#include <catch2/catch.hpp>

#include "models/dmls/merge.hpp"
#include "models/dmls/read_audit.hpp"
#include "tests/models/dmls/dmls_world.hpp"

namespace dmls = dmlssim::models::dmls;
namespace mls = dmlssim::models::mls;
using dmlssim::testing::DmlsWorld;
using Kind = dmls::TreeEvent::Kind;

namespace {

// Every message to every device, in the order given (duplicates and buffering are the trees').
void heal(DmlsWorld& w, const std::vector<dmls::DmlsMessage>& messages) {
  for (const dmls::DmlsMessage& m : messages) {
    for (std::size_t i = 0; i < static_cast<std::size_t>(w.count); ++i)
      w.deliver(m, static_cast<int>(i));
  }
}

dmls::Identities all_but(DmlsWorld& w, std::vector<int> out) {
  dmls::Identities ids;
  for (int i = 0; i < w.count; ++i) {
    if (std::find(out.begin(), out.end(), i) == out.end()) ids.insert(w.identity(i));
  }
  return ids;
}

// Fork choice by side: device i is on side side_of[i]; the sides rank in `order` (powers rule).
dmls::ForkChoice powers(DmlsWorld& w, const std::vector<std::string>& side_of,
                        std::vector<std::string> order) {
  return dmls::ForkChoice{dmls::powers_rule(std::move(order), w.servers(side_of))};
}

// Side a (devices 0, 1) removes device 3; side b (devices 2, 3) commits on without hearing of it.
// Not healed yet.
struct RemovalSplit {
  dmls::DmlsMessage removal, other;
  mls::Bytes b1;  // side b's epoch
};

RemovalSplit remove_3_on_side_a(DmlsWorld& w) {
  mls::CommitOptions remove;
  remove.by_value.push_back(mls::Proposal{mls::RemoveProposal{w.tree(3).group(w.root).own_leaf()}});
  RemovalSplit s{w.tree(0).commit(w.root, remove).commit, w.tree(2).commit(w.root).commit, {}};
  w.deliver_all(s.removal, {0, 1});
  s.b1 = w.deliver_all(s.other, {2, 3});
  return s;
}

// `merger` plans and commits the merge; every device receives it. Returns the merged epoch.
mls::Bytes merge(DmlsWorld& w, int merger, const dmls::ForkChoice& choice,
                 const dmls::Identities& members, dmls::MergePlan* plan_out = nullptr) {
  mls::Drbg drbg(mls::Bytes(32, 42));
  const dmls::MergePlan plan = dmls::plan_merge(w.tree(merger), choice, members, {}, drbg);
  const auto out = w.tree(merger).commit(plan.winner, plan.options);
  mls::Bytes merged;
  for (std::size_t i = 0; i < static_cast<std::size_t>(w.count); ++i) {
    for (const dmls::TreeEvent& e : w.deliver(out.commit, static_cast<int>(i))) {
      if (e.kind == Kind::kEpochCreated) merged = e.child;
    }
  }
  if (plan_out != nullptr) *plan_out = plan;
  return merged;
}

// Every device in `devices` holds `epoch` with one epoch_authenticator.
bool converged(DmlsWorld& w, const mls::Bytes& epoch, const std::vector<int>& devices) {
  for (const int i : devices) {
    if (!w.tree(i).holds(epoch)) return false;
    if (w.tree(i).group(epoch).epoch_authenticator() !=
        w.tree(devices.front()).group(epoch).epoch_authenticator()) {
      return false;
    }
  }
  return true;
}

}  // namespace

TEST_CASE("a two-way split converges — the device the room removed reads nothing after", "[dmls]") {
  for (const bool side_a_wins : {true, false}) {
    DmlsWorld w;
    const std::vector<std::string> sides = {"a", "a", "b", "b"};
    // Side a removes device 3 and commits again; side b updates and talks.
    mls::CommitOptions remove;
    remove.by_value.push_back(
        mls::Proposal{mls::RemoveProposal{w.tree(3).group(w.root).own_leaf()}});
    const auto x1 = w.tree(0).commit(w.root, remove);
    const mls::Bytes a1 = w.deliver_all(x1.commit, {0, 1});
    const auto x2 = w.tree(1).commit(a1);
    w.deliver_all(x2.commit, {1, 0});
    const auto y1 = w.tree(3).commit(w.root);
    const mls::Bytes b1 = w.deliver_all(y1.commit, {3, 2});
    const auto said = w.tree(2).protect(b1, mls::to_bytes("side b"));
    w.deliver(said, 3);
    heal(w, {x1.commit, x2.commit, y1.commit, said});
    REQUIRE(w.tree(0).heads().size() == 2);

    // The room agrees device 3 is gone.
    dmls::MergePlan plan;
    const auto choice = powers(
        w, sides,
        side_a_wins ? std::vector<std::string>{"a", "b"} : std::vector<std::string>{"b", "a"});
    const mls::Bytes merged = merge(w, 0, choice, all_but(w, {3}), &plan);
    REQUIRE_FALSE(merged.empty());
    CHECK(converged(w, merged, {0, 1, 2}));
    CHECK(plan.losers.size() == 1);
    CHECK(plan.carried == plan.losers);  // 0, 1 and 2 are members of both heads
    CHECK(plan.removed ==
          (side_a_wins ? std::vector<mls::Bytes>{} : std::vector<mls::Bytes>{w.identity(3)}));
    CHECK_FALSE(w.tree(3).holds(merged));
    // After the merge, device 3 can read nothing.
    const auto after = w.tree(1).protect(merged, mls::to_bytes("after the merge"));
    CHECK(*w.deliver(after, 2)[0].received.application_data == mls::to_bytes("after the merge"));
    const auto at3 = w.deliver(after, 3);
    CHECK(at3[0].kind == Kind::kBuffered);
    CHECK(w.tree(3).give_up().back().cause == dmls::Undecryptable::kEpochNeverReached);
  }
}

TEST_CASE("a three-way split converges to one epoch", "[dmls]") {
  DmlsWorld w(6);
  const std::vector<std::string> sides = {"a", "a", "b", "b", "c", "c"};
  std::vector<dmls::DmlsMessage> all;
  for (const int committer : {0, 2, 4}) {
    const auto c = w.tree(committer).commit(w.root);
    const mls::Bytes head = w.deliver_all(c.commit, {committer, committer + 1});
    const auto said = w.tree(committer + 1).protect(head, mls::to_bytes("hello"));
    all.push_back(c.commit);
    all.push_back(said);
  }
  heal(w, all);
  REQUIRE(w.tree(5).heads().size() == 3);
  dmls::MergePlan plan;
  const mls::Bytes merged = merge(w, 5, powers(w, sides, {"b", "c", "a"}), all_but(w, {}), &plan);
  CHECK(plan.losers.size() == 2);
  CHECK(plan.carried.size() == 2);
  CHECK(w.tree(5).record(w.tree(5).record(merged).parent()).committer() == w.identity(2));
  CHECK(converged(w, merged, {0, 1, 2, 3, 4, 5}));
}

TEST_CASE("a split nested inside a split converges to one epoch", "[dmls]") {
  DmlsWorld w(6);
  // {0,1,2,3} | {4,5}; then {0,1} | {2,3} inside the first side.
  const auto b = w.tree(4).commit(w.root);
  w.deliver_all(b.commit, {4, 5});
  const auto a = w.tree(0).commit(w.root);
  const mls::Bytes a1 = w.deliver_all(a.commit, {0, 1, 2, 3});
  const auto left = w.tree(1).commit(a1);
  w.deliver_all(left.commit, {1, 0});
  const auto right = w.tree(3).commit(a1);
  w.deliver_all(right.commit, {3, 2});
  heal(w, {b.commit, a.commit, left.commit, right.commit});
  REQUIRE(w.tree(2).heads().size() == 3);
  const mls::Bytes merged = merge(w, 2, dmls::ForkChoice{}, all_but(w, {}));
  CHECK(converged(w, merged, {0, 1, 2, 3, 4, 5}));
}

TEST_CASE("a merge carries a losing head's key material only if every member can", "[dmls]") {
  DmlsWorld w;
  // If side b wins and the room keeps device 3, device 3 is not a member of side a's head: that
  // head's PSK would lock it out.
  const RemovalSplit split = remove_3_on_side_a(w);
  heal(w, {split.removal, split.other});
  dmls::MergePlan plan;
  const mls::Bytes merged =
      merge(w, 2, powers(w, {"a", "a", "b", "b"}, {"b", "a"}), all_but(w, {}), &plan);
  CHECK(plan.losers.size() == 1);
  CHECK(plan.carried.empty());
  CHECK(converged(w, merged, {0, 1, 2, 3}));
}

TEST_CASE("a device that no longer holds a carried head cannot follow the merge", "[dmls]") {
  DmlsWorld w(4);
  std::vector<dmls::DmlsMessage> all;
  for (const int committer : {0, 2}) {
    const auto c = w.tree(committer).commit(w.root);
    w.deliver_all(c.commit, {committer, committer + 1});
    all.push_back(c.commit);
  }
  heal(w, all);
  mls::Drbg drbg(mls::Bytes(32, 5));
  const dmls::MergePlan plan =
      dmls::plan_merge(w.tree(0), dmls::ForkChoice{}, all_but(w, {}), {}, drbg);
  REQUIRE(plan.carried.size() == 1);
  w.tree(3).forget(plan.carried[0]);  // device 3 dropped the losing head too early
  const auto out = w.tree(0).commit(plan.winner, plan.options);
  const mls::Bytes merged = w.deliver_all(out.commit, {0, 1, 2});
  CHECK(converged(w, merged, {0, 1, 2}));
  const auto at3 = w.deliver(out.commit, 3);
  REQUIRE(at3.size() == 1);
  CHECK(at3[0].kind == Kind::kUndecryptable);
  CHECK(at3[0].rejection == mls::Rejection::kUnknownPsk);
}

TEST_CASE("a device the room keeps but one side removed is added back by the merge", "[dmls]") {
  DmlsWorld w;
  const RemovalSplit split = remove_3_on_side_a(w);
  heal(w, {split.removal, split.other});
  // The room (state resolution) keeps device 3: side a's removal is undone with a fresh
  // KeyPackage of the same identity.
  const auto& crypto = *w.h.config().crypto;
  mls::KeyPackageSecrets secrets;
  const mls::KeyPackage kp =
      mls::make_key_package(crypto, w.identity(3), w.h.rng().bytes(32), w.h.rng().bytes(32),
                            w.h.rng().bytes(32), mls::Lifetime{0, ~std::uint64_t{0}}, &secrets);
  mls::Drbg drbg(mls::Bytes(32, 8));
  const dmls::MergePlan plan =
      dmls::plan_merge(w.tree(0), powers(w, {"a", "a", "b", "b"}, {"a", "b"}), all_but(w, {}),
                       {{w.identity(3), kp}}, drbg);
  CHECK(plan.added == std::vector<mls::Bytes>{w.identity(3)});
  CHECK(plan.carried.size() == 1);  // device 3 is a member of side b's head: it can compute it
  const auto out = w.tree(0).commit(plan.winner, plan.options);
  const mls::Bytes merged = w.deliver_all(out.commit, {0, 1, 2});
  REQUIRE(out.welcome.has_value());
  const auto joined = w.tree(3).join(w.h.config(), std::get<mls::Welcome>(out.welcome->body), kp,
                                     secrets, w.h.rng().fork());
  CHECK(joined.front().child == merged);
  CHECK(converged(w, merged, {0, 1, 2, 3}));
  const auto hello = w.tree(3).protect(merged, mls::to_bytes("back"));
  CHECK(*w.deliver(hello, 0)[0].received.application_data == mls::to_bytes("back"));
}

TEST_CASE("a merge sent as PrivateMessages converges too: PSKs are looked up, not read", "[dmls]") {
  DmlsWorld w(4, 1, true);
  std::vector<dmls::DmlsMessage> all;
  for (const int committer : {0, 2}) {
    const auto c = w.tree(committer).commit(w.root);
    CHECK(c.commit.message.wire_format() == mls::WireFormat::kPrivateMessage);
    w.deliver_all(c.commit, {committer, committer + 1});
    all.push_back(c.commit);
  }
  heal(w, all);
  dmls::MergePlan plan;
  const mls::Bytes merged = merge(w, 1, dmls::ForkChoice{}, all_but(w, {}), &plan);
  CHECK(plan.carried.size() == 1);
  CHECK(converged(w, merged, {0, 1, 2, 3}));
}

TEST_CASE("the read audit counts what a strategy lets a member removed by the room read",
          "[dmls]") {
  for (const auto authority :
       {dmls::MembershipAuthority::kRoom, dmls::MembershipAuthority::kWinningFork}) {
    DmlsWorld w;
    dmls::ReadAudit audit;
    const auto send = [&](int from, const mls::Bytes& epoch, const dmls::Identities& room) {
      const dmls::DmlsMessage m = w.tree(from).protect(epoch, mls::to_bytes("hi"));
      audit.sent(m, room);
      for (int i = 0; i < 4; ++i) {
        for (const dmls::TreeEvent& e : w.deliver(m, i)) {
          if (e.kind == Kind::kApplication) audit.read(m, w.identity(i));
        }
      }
    };
    // The room agrees with side a's removal from then on; side b has not heard of it.
    const RemovalSplit split = remove_3_on_side_a(w);
    const dmls::Identities room = all_but(w, {3});
    send(2, split.b1, room);  // device 3 reads it on side b: the split let it
    CHECK(audit.unauthorized_reads() == 1);
    heal(w, {split.removal, split.other});
    // Side b wins; the merge takes the room's membership, or side b's.
    mls::Drbg drbg(mls::Bytes(32, 9));
    const dmls::MergePlan plan = dmls::plan_merge(
        w.tree(2), powers(w, {"a", "a", "b", "b"}, {"b", "a"}), room, {}, drbg, authority);
    const auto out = w.tree(2).commit(plan.winner, plan.options);
    const mls::Bytes merged = w.deliver_all(out.commit, {2, 0, 1, 3});
    send(0, merged, room);
    const bool room_decides = authority == dmls::MembershipAuthority::kRoom;
    CHECK(w.tree(3).holds(merged) == !room_decides);
    CHECK(audit.unauthorized_reads() == (room_decides ? 1 : 2));
    // Reads: device 3 on side b; then devices 1 and 2 (and 3) after the merge — a sender does not
    // read its own message, and side a's devices read the first one only later, unaudited here.
    CHECK(audit.reads() == (room_decides ? 1 + 2 : 1 + 3));
  }
}

TEST_CASE("a merge of the open heads leaves a head merged before out of the fork choice",
          "[dmls]") {
  // Three sides commit on the root; the powers rule ranks c, then b, then a. A merge has already
  // resolved c's head (say): the devices merging what is still open — a's and b's heads — must
  // plan on b's, not on c's, which would beat both and leave the open forks unmerged.
  DmlsWorld w(6);
  const std::vector<std::string> sides = {"a", "a", "b", "b", "c", "c"};
  std::vector<dmls::DmlsMessage> all;
  std::vector<mls::Bytes> head_of;  // by side
  for (const int committer : {0, 2, 4}) {
    const auto c = w.tree(committer).commit(w.root);
    head_of.push_back(w.deliver_all(c.commit, {committer, committer + 1}));
    all.push_back(c.commit);
  }
  heal(w, all);
  const dmls::ForkChoice choice = powers(w, sides, {"c", "b", "a"});
  mls::Drbg drbg(mls::Bytes(32, 7));
  REQUIRE(dmls::plan_merge(w.tree(1), choice, all_but(w, {}), {}, drbg).winner == head_of[2]);
  const std::vector<mls::Bytes> open = {head_of[0], head_of[1]};
  const dmls::MergePlan plan = dmls::plan_merge(w.tree(1), open, choice, all_but(w, {}), {}, drbg);
  CHECK(plan.winner == head_of[1]);
  CHECK(plan.losers == std::vector<mls::Bytes>{head_of[0]});
  CHECK(plan.carried == std::vector<mls::Bytes>{head_of[0]});
  CHECK_THROWS_AS(dmls::plan_merge(w.tree(1), {}, choice, all_but(w, {}), {}, drbg),
                  std::invalid_argument);
}

TEST_CASE("a merge that arrives before the head it carries waits for it", "[dmls]") {
  // Sides {0, 1} and {2, 3} commit on the root; device 0 merges, carrying side b's head as a PSK.
  // Device 1 gets the merge before side b's commit: it cannot derive the merged epoch yet, so it
  // holds the merge (rather than refusing it) and processes it once b's head is there.
  DmlsWorld w(4);
  const auto a = w.tree(0).commit(w.root);
  w.deliver_all(a.commit, {0, 1});
  const auto b = w.tree(2).commit(w.root);
  w.deliver_all(b.commit, {2, 3});
  w.deliver(b.commit, 0);
  dmls::MergePlan plan;
  const mls::Bytes merged =
      merge(w, 0, powers(w, {"a", "a", "b", "b"}, {"a", "b"}), all_but(w, {}), &plan);
  REQUIRE(plan.carried.size() == 1);
  REQUIRE(merged.size() > 0);
  // merge() delivered it to every device; device 1 lacked b's head when it came.
  CHECK_FALSE(w.tree(1).holds(merged));
  CHECK(w.tree(1).buffered() == 1);
  const dmls::TreeEvents events = w.tree(1).receive(b.commit);
  REQUIRE(events.size() == 2);
  CHECK(events[0].kind == Kind::kEpochCreated);
  CHECK(events[1].kind == Kind::kEpochCreated);
  CHECK(events[1].child == merged);
  CHECK(w.tree(1).buffered() == 0);
  CHECK(w.tree(1).group(merged).epoch_authenticator() ==
        w.tree(0).group(merged).epoch_authenticator());
}
