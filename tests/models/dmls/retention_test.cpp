// Retention: each policy decides which superseded epochs a device keeps, and that decides whether a
// rival commit arriving late can still fork them; exposure accrues for what is kept beyond RFC
// 9420's deletion schedule.
#include <catch2/catch.hpp>

#include "models/dmls/retention.hpp"
#include "tests/models/dmls/dmls_world.hpp"

namespace dmls = dmlssim::models::dmls;
namespace mls = dmlssim::models::mls;
namespace sim = dmlssim::sim;
using dmlssim::testing::DmlsWorld;
using Kind = dmls::TreeEvent::Kind;

namespace {

Kind first_kind(const dmls::TreeEvents& events) {
  REQUIRE_FALSE(events.empty());
  return events.front().kind;
}

dmls::RetentionPolicy window(sim::SimTime w) {
  dmls::RetentionPolicy p;
  p.rule = dmls::RetentionRule::kWindow;
  p.window = w;
  return p;
}

}  // namespace

TEST_CASE("a retention window decides whether a late rival commit can still fork", "[dmls]") {
  for (const sim::SimTime w_len : {sim::SimTime{}, sim::kMinute}) {
    DmlsWorld w;
    dmls::EpochTree& t = w.tree(1);
    const auto x = w.tree(0).commit(w.root);
    const auto y = w.tree(2).commit(w.root);
    const auto z = w.tree(3).commit(w.root);
    t.set_now(sim::kSecond * 10);
    w.deliver(x.commit, 1);
    CHECK(t.record(w.root).superseded_at == sim::kSecond * 10);
    t.set_now(sim::kSecond * 30);
    dmls::apply_retention(t, window(w_len));
    // RFC 9420's schedule (window 0) dropped the root at once: no fork. A minute keeps it.
    CHECK(first_kind(w.deliver(y.commit, 1)) ==
          (w_len == sim::SimTime{} ? Kind::kUndecryptable : Kind::kEpochCreated));
    t.set_now(sim::kSecond * 71);
    CHECK(dmls::apply_retention(t, window(w_len)).empty() == (w_len == sim::SimTime{}));
    CHECK_FALSE(t.holds(w.root));
    const auto late = w.deliver(z.commit, 1);
    CHECK(late[0].cause == dmls::Undecryptable::kEpochDeleted);
  }
}

TEST_CASE("the draft's rule keeps an epoch until every member committed below it", "[dmls]") {
  DmlsWorld w(3);
  const auto c0 = w.tree(0).commit(w.root);
  const mls::Bytes e1 = w.deliver_all(c0.commit, {0, 1, 2});
  dmls::RetentionPolicy upstream;
  upstream.rule = dmls::RetentionRule::kUpstreamCommits;
  CHECK(dmls::expired_epochs(w.tree(2), upstream).empty());  // only device 0 committed below
  const auto c1 = w.tree(1).commit(e1);
  const mls::Bytes e2 = w.deliver_all(c1.commit, {1, 0, 2});
  CHECK(dmls::expired_epochs(w.tree(2), upstream).empty());
  const auto c2 = w.tree(2).commit(e2);
  const mls::Bytes e3 = w.deliver_all(c2.commit, {2, 0, 1});
  // Below the root: 0, 1 and 2 — all its members. Below e1: 1 and 2 only.
  CHECK(dmls::expired_epochs(w.tree(2), upstream) == std::vector<mls::Bytes>{w.root});
  dmls::RetentionPolicy keep_one;
  keep_one.rule = dmls::RetentionRule::kKeepEpochs;
  keep_one.keep = 1;
  CHECK(dmls::expired_epochs(w.tree(2), keep_one) == std::vector<mls::Bytes>{w.root, e1});
  keep_one.keep = 0;
  CHECK(dmls::expired_epochs(w.tree(2), keep_one) == std::vector<mls::Bytes>{w.root, e1, e2});

  dmls::apply_retention(w.tree(2), upstream);
  // A late rival of e1 (device 0 commits there again) still forks at device 2; one of the root
  // no longer does.
  const auto rival_e1 = w.tree(0).commit(e1);
  CHECK(first_kind(w.deliver(rival_e1.commit, 2)) == Kind::kEpochCreated);
  const auto rival_root = w.tree(1).commit(w.root);
  CHECK(w.deliver(rival_root.commit, 2)[0].cause == dmls::Undecryptable::kEpochDeleted);
  CHECK(w.tree(2).holds(e3));
}

TEST_CASE("exposure accrues for what is retained beyond RFC 9420's schedule", "[dmls]") {
  DmlsWorld w;
  dmls::EpochTree& t = w.tree(1);
  t.set_now(sim::kSecond * 10);
  CHECK(t.exposure().tree_private_keys == 0);  // only a head so far: nothing beyond the RFC
  const auto x = w.tree(0).commit(w.root);
  w.deliver(x.commit, 1);
  // The root is superseded and kept. Device 1 (leaf 1 of 4) holds its leaf key and the keys of
  // nodes 1 and 3 (from the founding commit's path): 3 × 32 bytes. The root's PPRF derived one
  // child: 256 copath secrets of 32 bytes.
  const mls::Group::HeldBytes held = t.retained_beyond_rfc();
  CHECK(held.tree_private_keys == 96);
  CHECK(held.successor_init == 256 * 32);
  t.set_now(sim::kSecond * 70);
  CHECK(t.exposure().tree_private_keys == 96.0 * 60);
  CHECK(t.exposure().successor_init == 8192.0 * 60);
  CHECK(t.exposure().message_keys == static_cast<double>(held.message_keys) * 60);
  t.forget(w.root);
  t.set_now(sim::kSecond * 130);
  CHECK(t.exposure().tree_private_keys == 96.0 * 60);  // nothing more once forgotten
  CHECK_THROWS_AS(t.set_now(sim::kSecond), std::invalid_argument);
}

namespace {

// What retained_beyond_rfc() must equal: the held bytes of every held, superseded epoch.
mls::Group::HeldBytes recount(const dmls::EpochTree& t) {
  mls::Group::HeldBytes sum;
  for (const mls::Bytes& e : t.held_epochs()) {
    if (!t.record(e).superseded_at) continue;
    const mls::Group::HeldBytes b = t.group(e).held_bytes();
    sum.tree_private_keys += b.tree_private_keys;
    sum.successor_init += b.successor_init;
    sum.message_keys += b.message_keys;
  }
  return sum;
}

void check_retained(const dmls::EpochTree& t) {
  const mls::Group::HeldBytes kept = t.retained_beyond_rfc(), fresh = recount(t);
  CHECK(kept.tree_private_keys == fresh.tree_private_keys);
  CHECK(kept.successor_init == fresh.successor_init);
  CHECK(kept.message_keys == fresh.message_keys);
}

}  // namespace

TEST_CASE("what superseded epochs retain is kept up to date as their keys are used", "[dmls]") {
  DmlsWorld w;
  dmls::EpochTree& t = w.tree(1);
  // Messages of the root from three senders, sent before device 1 moves on.
  std::vector<dmls::DmlsMessage> late;
  for (int round = 0; round < 3; ++round) {
    for (const int sender : {0, 2, 3})
      late.push_back(w.tree(sender).protect(w.root, mls::to_bytes("late")));
  }
  const auto x = w.tree(0).commit(w.root);
  const mls::Bytes e1 = w.deliver_all(x.commit, {0, 1});
  check_retained(t);
  const mls::Group::HeldBytes first = t.retained_beyond_rfc();
  // Late messages of the superseded root open ratchets and consume keys there, out of order.
  for (std::size_t i = late.size(); i-- > 0;) {
    REQUIRE(w.deliver(late[i], 1).front().kind == Kind::kApplication);
    check_retained(t);
  }
  CHECK(t.retained_beyond_rfc().message_keys != first.message_keys);
  // A fork of the root (device 2's rival commit), a message on the new head, then forgetting.
  const auto y = w.tree(2).commit(w.root);
  REQUIRE(first_kind(w.deliver(y.commit, 1)) == Kind::kEpochCreated);
  check_retained(t);
  REQUIRE(first_kind(w.deliver(w.tree(0).protect(e1, mls::to_bytes("on e1")), 1)) ==
          Kind::kApplication);
  check_retained(t);
  // Device 1 sends and commits on the superseded root itself: its sending ratchet moves, and the
  // commit's copy shares the root's successor-init state.
  t.protect(w.root, mls::to_bytes("from the root"));
  check_retained(t);
  const auto own = t.commit(w.root);
  check_retained(t);
  REQUIRE(first_kind(w.deliver(own.commit, 1)) == Kind::kEpochCreated);
  check_retained(t);
  t.forget(w.root);
  check_retained(t);
  CHECK(t.retained_beyond_rfc().tree_private_keys == 0);
}

TEST_CASE("retention rules have names for scenarios", "[dmls]") {
  for (const char* name : {"window", "upstream_commits", "keep_epochs"}) {
    const auto rule = dmls::retention_rule_from_string(name);
    REQUIRE(rule.has_value());
    CHECK(std::string(dmls::to_string(*rule)) == name);
  }
  CHECK_FALSE(dmls::retention_rule_from_string("forever").has_value());
}
