// The encrypted strategies in charge of a room: mls_first_seen (the control) and dmls (fork and
// merge), on a small federated room split in two.
#include <catch2/catch.hpp>
#include <optional>

#include "consensus/membership_follow.hpp"
#include "consensus/strategy_registry.hpp"
#include "tests/models/matrix/federation_fixture.hpp"

using dmlssim::testing::FederationWorld;
namespace consensus = dmlssim::consensus;
namespace device = dmlssim::models::device;
namespace mx = dmlssim::models::matrix;
namespace mls = dmlssim::models::mls;
namespace sim = dmlssim::sim;
using device::DeviceIndex;
using device::ReadOutcome;
using sim::SimTime;

namespace {

// 3 servers x 2 users x 2 devices under a registered strategy.
struct StrategyWorld {
  explicit StrategyWorld(const std::string& name,
                         std::vector<std::pair<std::string, std::string>> args = {})
      : w(3, 2) {
    consensus::register_builtin(registry);
    strategy = registry.create(registry.resolve(name, args));
    device::EncryptedRoomConfig c;
    c.devices_per_user = 2;
    c.group.crypto = &mls::fast_crypto();
    strategy->configure(c);
    room = std::make_unique<device::EncryptedRoom>(w.sim, *w.federation, links, sync, c, 1, 0);
    room->start();
    run = strategy->attach(*room);
  }
  void run_for(double seconds) { w.sim.run_until(w.sim.now() + SimTime::from_seconds(seconds)); }
  // Every device of a joined user with a group, on one epoch.
  bool one_epoch() const {
    const mls::Bytes* first = nullptr;
    for (DeviceIndex d = 0; d < room->device_count(); ++d) {
      const mls::Group* g = room->group(d);
      if (g == nullptr) continue;
      if (first == nullptr) first = &g->epoch_authenticator();
      if (g->epoch_authenticator() != *first) return false;
    }
    return first != nullptr;
  }
  std::uint64_t count(ReadOutcome o) const {
    return room->ledger().totals().by_outcome[static_cast<int>(o)];
  }

  FederationWorld w;
  sim::ClientLinks links{w.sim, w.network.reachability(), sim::Distribution::constant(0.02),
                         sim::RandomStream(1, 0, "client")};
  device::ClientSync sync{*w.federation, links};
  consensus::Registry registry;
  std::unique_ptr<consensus::Strategy> strategy;
  std::unique_ptr<device::EncryptedRoom> room;
  std::unique_ptr<consensus::RoomStrategy> run;
};

// s0 | s1 s2 for ten minutes: each side makes a key update and sends a message, then heals.
void split_and_heal(StrategyWorld& s) {
  s.w.partition({0, 1, 1});
  s.run->key_update(0);  // a device of s0
  s.run->key_update(4);  // a device of s1
  s.run_for(30);
  REQUIRE(s.room->send_message(1).sent);  // @u1:s0
  REQUIRE(s.room->send_message(3).sent);  // @u1:s1
  s.run_for(570);
  s.w.heal();
  s.run_for(3600);
  REQUIRE(s.w.converged());
}

// The member who acts on a membership event from `origin`, found by walking d's tree (the rule of
// membership_follow.hpp, without its memory): on the origin, the lowest joined member there; else
// the lowest joined member of all, when the origin has none.
bool acts_by_walk(const device::EncryptedRoom& room, DeviceIndex d, sim::NodeId origin) {
  const mls::Group* g = room.group(d);
  if (g == nullptr) return false;
  const mls::RatchetTree& tree = g->public_state().tree;
  std::optional<DeviceIndex> lowest, lowest_on_origin;
  for (mls::LeafIndex leaf = 0; leaf < tree.leaf_count(); ++leaf) {
    if (tree.leaf(leaf) == nullptr) continue;
    const auto m = room.device_of_identity(tree.leaf(leaf)->credential.identity);
    if (!m || !room.joined_at_server(d, room.user_of(*m))) continue;
    if (!lowest) lowest = m;
    if (!lowest_on_origin && room.device(*m).homeserver() == origin) lowest_on_origin = m;
  }
  if (room.device(d).homeserver() == origin) return lowest_on_origin == d;
  return !lowest_on_origin && lowest == d;
}

}  // namespace

TEST_CASE("the member who acts on a membership event is the one a walk of its tree finds",
          "[consensus][e2ee]") {
  // Asked of every device for every origin, twice each time (the answers are kept per tree,
  // room state and origin): at the start, while one side of a split sees a user leave, after the
  // heal, and once a server's last users have left.
  StrategyWorld s("dmls");
  consensus::MembershipFollow follow(*s.room);
  std::size_t acting = 0, asked = 0;
  const auto check_all = [&] {
    for (int round = 0; round < 2; ++round) {
      for (sim::NodeId origin = 0; origin < 3; ++origin) {
        for (DeviceIndex d = 0; d < s.room->device_count(); ++d) {
          INFO("device " << d << " origin " << origin);
          const bool expected = acts_by_walk(*s.room, d, origin);
          CHECK(follow.acts(d, origin) == expected);
          acting += expected ? 1 : 0;
          ++asked;
        }
      }
    }
  };
  check_all();
  s.w.partition({0, 1, 1});
  REQUIRE(s.w.send(1, 0, "m.room.member", "@u0:s1", {{"membership", "leave"}}) != mx::kNoEvent);
  s.run_for(1);
  check_all();  // s1 and s2 hold the leave, s0 not
  s.run_for(60);
  check_all();
  s.w.heal();
  s.run_for(600);
  check_all();
  REQUIRE(s.w.send(2, 0, "m.room.member", "@u0:s2", {{"membership", "leave"}}) != mx::kNoEvent);
  REQUIRE(s.w.send(2, 1, "m.room.member", "@u1:s2", {{"membership", "leave"}}) != mx::kNoEvent);
  s.run_for(0.01);
  check_all();  // s2 has no joined member left
  s.run_for(120);
  check_all();
  CHECK(asked > 400);
  CHECK(acting > 10);
  CHECK(acting < asked / 4);
}

TEST_CASE("mls_first_seen: a split leaves the group forked for good", "[consensus][e2ee]") {
  StrategyWorld s("mls_first_seen");
  split_and_heal(s);
  CHECK_FALSE(s.one_epoch());
  // Each side reads its own message (5 other devices... 11 readers each, 4 or 8 on its side).
  CHECK(s.count(ReadOutcome::kUnreadable) > 0);
  CHECK(s.count(ReadOutcome::kRead) + s.count(ReadOutcome::kUnreadable) == 22);
}

TEST_CASE(
    "mls_first_seen(rejoin_after): the side behind rejoins the other's branch by external "
    "commit, and the group is one again",
    "[consensus][e2ee]") {
  StrategyWorld s("mls_first_seen", {{"rejoin_after", "1m"}});
  // s0 | s1 s2: s0's side makes one key update, the other side two, so it is ahead.
  s.w.partition({0, 1, 1});
  s.run->key_update(0);
  s.run->key_update(4);
  s.run_for(30);
  s.run->key_update(8);
  s.run_for(30);
  REQUIRE(s.room->send_message(1).sent);  // @u1:s0: lost for the other side
  s.run_for(540);
  CHECK_FALSE(s.one_epoch());
  s.w.heal();
  s.run_for(3600);
  REQUIRE(s.w.converged());
  CHECK(s.one_epoch());
  const device::EncryptedRoom::Counts& c = s.room->counts();
  // s0's four devices each rejoined once (concurrent external commits: one wins an epoch, the
  // others lose it and try again on the next); none of the side ahead did.
  CHECK(c.rejoins_won == 4);
  CHECK(c.rejoins_sent == c.rejoins_won + c.rejoins_lost);
  CHECK(c.rejoins_no_tree == 0);
  for (DeviceIndex d = 0; d < s.room->device_count(); ++d) {
    REQUIRE(s.room->group(d) != nullptr);
    CHECK(s.room->group(d)->member_count() == 12);  // resync replaced the old leaves
  }
  // The message of the split stays unreadable beyond s0; one sent now is read by all.
  CHECK(s.count(ReadOutcome::kUnreadable) == 8);
  REQUIRE(s.room->send_message(3).sent);
  s.run_for(10);
  CHECK(s.count(ReadOutcome::kRead) == 3 + 11);
}

TEST_CASE("mls_first_seen(rejoin_after): sides on equal epochs are neither behind: none rejoins",
          "[consensus][e2ee]") {
  // One key update on each side: both end the split on epoch 1 of their own branch. A device
  // rejoins only a branch whose epoch is beyond its own (docs/encrypted-rooms.md).
  StrategyWorld s("mls_first_seen", {{"rejoin_after", "1m"}});
  split_and_heal(s);
  CHECK_FALSE(s.one_epoch());
  CHECK(s.room->counts().rejoins_asked == 0);
}

TEST_CASE("dmls: the forks merge at the heal and every message of both sides is read",
          "[consensus][e2ee]") {
  StrategyWorld s("dmls");
  split_and_heal(s);
  CHECK(s.one_epoch());
  CHECK(s.count(ReadOutcome::kRead) == 22);
  for (DeviceIndex d = 0; d < s.room->device_count(); ++d) {
    CHECK(s.room->open_heads(d).size() == 1);
    CHECK(s.room->group(d)->member_count() == 12);
  }
  // A message after the merge is read by all on the one epoch.
  REQUIRE(s.room->send_message(5).sent);
  s.run_for(10);
  CHECK(s.count(ReadOutcome::kRead) == 33);
}

TEST_CASE(
    "dmls: retention shorter than the split deletes the fork point: the other side's "
    "messages are unreadable, epoch deleted",
    "[consensus][e2ee]") {
  StrategyWorld s("dmls", {{"retention", "1m"}});
  split_and_heal(s);
  CHECK_FALSE(s.one_epoch());
  const device::ReadLedger::Totals t = s.room->ledger().totals();
  CHECK(t.by_cause[static_cast<int>(device::UnreadableCause::kEpochDeleted)] > 0);
  CHECK(t.by_cause[static_cast<int>(device::UnreadableCause::kEpochNeverReached)] == 0);
}

TEST_CASE("dmls(merge=room): a user banned on one side reads nothing sent after the merge",
          "[consensus][e2ee]") {
  StrategyWorld s("dmls", {{"merge", "room"}});
  s.w.partition({0, 1, 1});
  // The moderator @u1:s0 bans @u0:s1 (devices 4, 5) on s0's side; s1's side never hears of it.
  REQUIRE(s.w.send(0, 1, "m.room.member", "@u0:s1", {{"membership", "ban"}}) != mx::kNoEvent);
  s.run_for(30);
  REQUIRE(s.room->group(4) != nullptr);           // on s1's side it is still a member
  CHECK(s.room->group(0)->member_count() == 10);  // s0's side removed its devices
  REQUIRE(s.room->send_message(3).sent);          // @u1:s1 on the other side
  s.run_for(570);
  s.w.heal();
  s.run_for(3600);
  REQUIRE(s.w.converged());
  CHECK(s.one_epoch());
  CHECK(s.room->group(4) == nullptr);  // the merge took the room's membership: banned
  CHECK(s.room->group(0)->member_count() == 10);
  const std::size_t unauthorized = s.room->ledger().unauthorized().size();
  const std::uint32_t before = static_cast<std::uint32_t>(s.room->ledger().message_count());
  REQUIRE(s.room->send_message(1).sent);
  s.run_for(10);
  for (const DeviceIndex banned : {DeviceIndex{4}, DeviceIndex{5}}) {
    CHECK_FALSE(s.room->ledger().expected(before, banned));
    CHECK(s.room->ledger().outcome(before, banned) != ReadOutcome::kRead);
  }
  CHECK(s.room->ledger().unauthorized().size() == unauthorized);
}

TEST_CASE("a server whose last users leave: a member elsewhere removes their devices",
          "[consensus][e2ee]") {
  // Both users of s2 leave. The events come from s2, whose only members are the leavers' own
  // devices: they never commit for the room (a member never removes itself, one removing only its
  // sibling left the user in the group, and a leaver's commit fails the auth rules). The lowest
  // member of the joined users does.
  for (const std::string strategy : {"mls_first_seen", "dmls"}) {
    INFO(strategy);
    StrategyWorld s(strategy);
    REQUIRE(s.w.send(2, 0, "m.room.member", "@u0:s2", {{"membership", "leave"}}) != mx::kNoEvent);
    REQUIRE(s.w.send(2, 1, "m.room.member", "@u1:s2", {{"membership", "leave"}}) != mx::kNoEvent);
    s.run_for(120);
    for (DeviceIndex d = 0; d < 8; ++d) {
      REQUIRE(s.room->group(d) != nullptr);
      CHECK(s.room->group(d)->member_count() == 8);
      CHECK(s.room->group(d)->epoch_authenticator() == s.room->group(0)->epoch_authenticator());
    }
    // s2 left the room with its last user: its devices never see their removal (stale groups).
    CHECK(s.room->group(8) != nullptr);
  }
}

TEST_CASE("dmls: a commit soft-failed at a device's server is fetched by event ID",
          "[consensus][e2ee]") {
  // During a split s0 bans @u0:s1 (devices 4, 5); on s1's side, where the ban is unknown, device 4
  // commits a key update and @u1:s1 then sends in the epoch it created. After the heal s0 holds
  // that commit but soft-fails it (its sender is banned there), so s0's devices never get it by
  // sync: they ask s0 for it by event ID, and read the message.
  StrategyWorld s("dmls", {{"merge", "room"}});
  s.w.partition({0, 1, 1});
  REQUIRE(s.w.send(0, 1, "m.room.member", "@u0:s1", {{"membership", "ban"}}) != mx::kNoEvent);
  s.run_for(30);
  s.run->key_update(4);
  s.run_for(30);
  REQUIRE(s.room->send_message(3).sent);  // @u1:s1, in the epoch of the banned device's commit
  s.run_for(540);
  s.w.heal();
  s.run_for(3600);
  REQUIRE(s.w.converged());
  CHECK(s.room->counts().commits_fetched > 0);
  const device::ReadLedger& ledger = s.room->ledger();
  REQUIRE(ledger.message_count() == 1);
  for (const DeviceIndex d : {DeviceIndex{0}, DeviceIndex{1}, DeviceIndex{2}, DeviceIndex{3}})
    CHECK(ledger.outcome(0, d) == ReadOutcome::kRead);
  CHECK(s.links.traffic(s.room->fetch_class()).messages > 0);
}
