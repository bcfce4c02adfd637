// An encrypted room: devices of the room's users run one MLS group over the federated room.
// Messages and commits travel as room events through the homeservers and the client hop; every
// message's fate is in the ledger. The strategy here is a bare first-seen rule written in the
// test (consensus/ has the registered ones).
#include <catch2/catch.hpp>

#include "models/device/mls_room_events.hpp"
#include "models/matrix/base64.hpp"
#include "models/mls/wire_types.hpp"
#include "tests/models/device/encrypted_world.hpp"

using dmlssim::testing::EncryptedWorld;
using dmlssim::testing::FederationWorld;
namespace device = dmlssim::models::device;
namespace mx = dmlssim::models::matrix;
namespace mls = dmlssim::models::mls;
namespace sim = dmlssim::sim;
using device::DeviceIndex;
using device::ReadOutcome;
using sim::SimTime;

TEST_CASE("encrypted room: every joined user's devices start in one group", "[device][e2ee]") {
  EncryptedWorld e;
  REQUIRE(e.room.device_count() == 12);
  CHECK(e.room.device(3).name() == e.w.room.users()[1].user_id + "/D1");
  const mls::Bytes& authenticator = e.room.group(0)->epoch_authenticator();
  for (DeviceIndex d = 0; d < e.room.device_count(); ++d) {
    REQUIRE(e.room.group(d) != nullptr);
    CHECK(e.room.group(d)->epoch() == 0);
    CHECK(e.room.group(d)->member_count() == 12);
    CHECK(e.room.group(d)->epoch_authenticator() == authenticator);
    // Leaf i holds device i's credential.
    const mls::LeafNode* leaf = e.room.group(0)->public_state().tree.leaf(d);
    CHECK(e.room.device_of_identity(leaf->credential.identity) == d);
  }
}

TEST_CASE("encrypted room: a message is an m.room.encrypted event every other device reads",
          "[device][e2ee]") {
  EncryptedWorld e;
  REQUIRE(e.room.send_message(2).sent);  // user 2's first device
  e.run_for(5);
  REQUIRE(e.room.ledger().message_count() == 1);
  const device::SentMessage& m = e.room.ledger().message(0);
  CHECK(m.sender == 4);
  const mx::Event& event = e.w.room.store()[m.event];
  CHECK(event.type == "m.room.encrypted");
  CHECK(event.content["algorithm"] == device::kMlsAlgorithm);
  // The ciphertext is the PrivateMessage's own bytes in unpadded base64.
  const std::size_t bytes = mls::encode_one(*e.room.mls_message(m.event)).size();
  CHECK(event.content["ciphertext"].get<std::string>().size() == (4 * bytes + 2) / 3);
  CHECK_FALSE(event.content.contains("commit_event_id"));  // the first epoch has no commit
  for (DeviceIndex d = 0; d < e.room.device_count(); ++d) {
    if (d == 4) {
      CHECK_FALSE(e.room.ledger().expected(0, d));
      continue;
    }
    CHECK(e.room.ledger().outcome(0, d) == ReadOutcome::kRead);
    // Up the hop, through the federation (other servers), down the hop: at least 2 x 20 ms.
    CHECK(e.room.ledger().read_delay_ms(0, d) >= 40);
  }
  CHECK(e.room.ledger().totals().pairs == 11);
}

TEST_CASE("encrypted room: a commit goes round as a room event and every device applies it",
          "[device][e2ee]") {
  EncryptedWorld e;
  REQUIRE(e.room.commit(5, {}).sent);
  CHECK(e.room.group(5)->has_pending_commit());
  CHECK_FALSE(e.room.commit(5, {}).sent);  // one pending commit at a time
  e.run_for(5);
  for (DeviceIndex d = 0; d < e.room.device_count(); ++d) {
    CHECK(e.room.group(d)->epoch() == 1);
    CHECK(e.room.group(d)->epoch_authenticator() == e.room.group(0)->epoch_authenticator());
    CHECK(e.room.epoch_commit(d) == e.room.epoch_commit(0));
  }
  CHECK_FALSE(e.room.group(5)->has_pending_commit());
  CHECK(std::count(e.fates.begin(), e.fates.end(), device::CommitFate::kOwnMerged) == 1);
  CHECK(std::count(e.fates.begin(), e.fates.end(), device::CommitFate::kApplied) == 11);
  const mx::Event& commit = e.w.room.store()[e.room.epoch_commit(0)];
  CHECK(commit.type == "m.mls.commit");
  CHECK(commit.content["epoch"] == 0);
  // It carries its committer's GroupInfo of epoch 1 (external_pub, no tree), as an MLSMessage in
  // unpadded base64: the context and tag every member holds now.
  const mls::GroupInfo* info = e.room.commit_group_info(e.room.epoch_commit(0));
  REQUIRE(info != nullptr);
  mls::MlsMessage wrapped;
  wrapped.body = *info;
  const mls::Bytes encoded = mls::encode_one(wrapped);
  CHECK(commit.content["group_info"] ==
        mx::unpadded_base64(std::string(encoded.begin(), encoded.end())));
  const mls::GroupInfo member = e.room.group(0)->group_info(false, true);
  CHECK(info->group_context.encode() == member.group_context.encode());
  CHECK(info->confirmation_tag == member.confirmation_tag);
  CHECK(info->extensions == member.extensions);
  CHECK(info->signer == e.room.group(5)->own_leaf());
  // A message of the new epoch names the commit event that made it.
  REQUIRE(e.room.send_message(0).sent);
  e.run_for(5);
  const mx::Event& message = e.w.room.store()[e.room.ledger().message(0).event];
  CHECK(message.content["commit_event_id"] == commit.event_id);
  CHECK(e.room.ledger().totals().by_outcome[static_cast<int>(ReadOutcome::kRead)] == 11);
}

TEST_CASE(
    "encrypted room: rival commits in a split fork the group — the other side's messages "
    "are unreadable, epoch never reached",
    "[device][e2ee]") {
  EncryptedWorld e;
  e.w.partition({0, 1, 1});  // s0 | s1 s2
  // Users are numbered server by server: user 2 is @u0:s1, so device 4 lives on s1.
  REQUIRE(e.room.device(4).homeserver() == 1);
  REQUIRE(e.room.commit(0, {}).sent);  // a device of s0
  REQUIRE(e.room.commit(4, {}).sent);  // a device of s1
  e.run_for(5);
  REQUIRE(e.room.send_message(1).sent);  // @u1:s0
  REQUIRE(e.room.send_message(3).sent);  // @u1:s1
  e.run_for(5);
  e.w.heal();
  e.run_for(1800);  // back-off (10 min x jitter up to 1.4) then catch-up
  REQUIRE(e.w.converged());
  // Two epoch-1 states: s0's devices on one, the others on the other.
  CHECK(e.room.group(0)->epoch_authenticator() != e.room.group(4)->epoch_authenticator());
  CHECK(e.room.group(1)->epoch_authenticator() == e.room.group(0)->epoch_authenticator());
  CHECK(e.room.group(4)->epoch_authenticator() == e.room.group(11)->epoch_authenticator());
  const device::ReadLedger& ledger = e.room.ledger();
  REQUIRE(ledger.message_count() == 2);
  for (std::uint32_t m = 0; m < 2; ++m) {
    const bool from_s0 = e.room.device(ledger.message(m).sender).homeserver() == 0;
    for (DeviceIndex d = 0; d < e.room.device_count(); ++d) {
      if (!ledger.expected(m, d)) continue;
      const bool on_s0 = e.room.device(d).homeserver() == 0;
      if (on_s0 == from_s0) {
        CHECK(ledger.outcome(m, d) == ReadOutcome::kRead);
      } else {
        REQUIRE(ledger.outcome(m, d) == ReadOutcome::kUnreadable);
        CHECK(ledger.cause(m, d) == device::UnreadableCause::kEpochNeverReached);
      }
    }
  }
  // Each side dropped the other's commit (stale or not verifiable: another group state).
  CHECK(std::count(e.fates.begin(), e.fates.end(), device::CommitFate::kOwnMerged) == 2);
}

TEST_CASE(
    "encrypted room: a kicked user's devices reading before their removal is counted as "
    "unauthorized",
    "[device][e2ee]") {
  EncryptedWorld e;
  // The moderator @u1:s0 kicks @u1:s2 (devices 10 and 11).
  const std::size_t kicked = e.user_index("@u1:s2");
  REQUIRE(e.room.first_device(kicked) == 10);
  REQUIRE(e.w.send(0, 1, "m.room.member", "@u1:s2", {{"membership", "leave"}}) != mx::kNoEvent);
  e.run_for(5);
  // A message after the kick, before any commit removes them: their devices still hold the
  // epoch and read it, though the room no longer has their user.
  REQUIRE(e.room.send_message(0).sent);
  e.run_for(5);
  CHECK_FALSE(e.room.ledger().expected(0, 10));
  REQUIRE(e.room.ledger().unauthorized().size() == 2);
  CHECK(e.room.ledger().unauthorized()[0].reader + e.room.ledger().unauthorized()[1].reader == 21);
  // A device of s0 commits the removals its server's state calls for.
  const std::vector<mls::LeafIndex> removals = e.room.leaves_to_remove(0);
  CHECK(removals == std::vector<mls::LeafIndex>{10, 11});
  mls::CommitOptions options;
  for (const mls::LeafIndex leaf : removals)
    options.by_value.push_back(mls::Proposal{mls::RemoveProposal{leaf}});
  REQUIRE(e.room.commit(0, options).sent);
  e.run_for(5);
  CHECK(e.room.group(10) == nullptr);  // removed
  CHECK(e.room.group(0)->member_count() == 10);
  REQUIRE(e.room.send_message(2).sent);
  e.run_for(5);
  CHECK(e.room.ledger().unauthorized().size() == 2);  // nothing more
  CHECK(e.room.ledger().totals().by_outcome[static_cast<int>(ReadOutcome::kRead)] == 9 + 9);
}

TEST_CASE(
    "encrypted room: adding a user's devices claims their KeyPackages, commits the Adds and "
    "delivers the Welcome as to-device messages",
    "[device][e2ee][adds]") {
  EncryptedWorld e;
  // @u1:s2 leaves; a device of s0 removes their devices; they come back.
  REQUIRE(e.w.send(2, 1, "m.room.member", "@u1:s2", {{"membership", "leave"}}) != mx::kNoEvent);
  e.run_for(5);
  mls::CommitOptions removes;
  removes.by_value = e.room.removals_due(0);
  REQUIRE(e.room.commit(0, removes).sent);
  e.run_for(5);
  REQUIRE(e.room.group(10) == nullptr);
  REQUIRE(e.w.send(2, 1, "m.room.member", "@u1:s2", {{"membership", "join"}}) != mx::kNoEvent);
  e.run_for(5);
  CHECK(e.room.devices_to_add(0) == std::vector<DeviceIndex>{10, 11});
  const std::uint32_t stock = e.room.key_stock(10);
  // A device of s0 adds them: KeyPackages from s2 by POST /user/keys/claim.
  REQUIRE(e.room.add_devices(0, e.room.devices_to_add(0)).sent);
  e.run_for(10);
  for (const DeviceIndex d : {DeviceIndex{10}, DeviceIndex{11}}) {
    REQUIRE(e.room.group(d) != nullptr);
    CHECK(e.room.group(d)->epoch_authenticator() == e.room.group(0)->epoch_authenticator());
    CHECK(e.room.epoch_commit(d) == e.room.epoch_commit(0));
    // The claimed package was replaced by an upload from the (online) device.
    CHECK(e.room.key_stock(d) == stock);
  }
  CHECK(e.room.group(0)->member_count() == 12);
  CHECK(e.room.counts().key_packages_claimed == 2);
  CHECK(e.room.counts().welcomes_sent == 2);
  CHECK(e.room.counts().joins == 2);
  CHECK(e.room.devices_to_add(0).empty());
  // They read what is sent now.
  REQUIRE(e.room.send_message(0).sent);
  e.run_for(5);
  CHECK(e.room.ledger().outcome(0, 10) == ReadOutcome::kRead);
  CHECK(e.room.ledger().outcome(0, 11) == ReadOutcome::kRead);
  const auto traffic = [&](const std::string& name) {
    const auto& names = e.w.network.class_names();
    for (std::size_t c = 0; c < names.size(); ++c)
      if (names[c] == name) return e.w.network.traffic(static_cast<sim::MessageClass>(c));
    return sim::TrafficCounters{};
  };
  CHECK(traffic("fed_keys_claim").messages == 2);  // one request, one answer
}

TEST_CASE("encrypted room: a claim to an unreachable server fails — the others are added",
          "[device][e2ee][adds]") {
  EncryptedWorld e;
  for (const auto& [server, user] : {std::pair{1u, 1u}, std::pair{2u, 1u}}) {
    REQUIRE(e.w.send(server, user, "m.room.member", mx::user_id_for(server, user),
                     {{"membership", "leave"}}) != mx::kNoEvent);
  }
  e.run_for(5);
  mls::CommitOptions removes;
  removes.by_value = e.room.removals_due(0);
  REQUIRE(removes.by_value.size() == 4);
  REQUIRE(e.room.commit(0, removes).sent);
  e.run_for(5);
  for (const auto& [server, user] : {std::pair{1u, 1u}, std::pair{2u, 1u}}) {
    REQUIRE(e.w.send(server, user, "m.room.member", mx::user_id_for(server, user),
                     {{"membership", "join"}}) != mx::kNoEvent);
  }
  e.run_for(5);
  REQUIRE(e.room.devices_to_add(0).size() == 4);
  e.w.partition({0, 0, 1});  // s2 unreachable from s0
  REQUIRE(e.room.add_devices(0, e.room.devices_to_add(0)).sent);
  e.run_for(120);  // the claim to s2 times out
  CHECK(e.room.counts().claims_failed == 2);
  CHECK(e.room.group(6) != nullptr);   // @u1:s1's devices are in
  CHECK(e.room.group(10) == nullptr);  // @u1:s2's are not
  CHECK(e.room.group(0)->member_count() == 10);
}

TEST_CASE("encrypted room: an exhausted stock gives the last-resort package, again and again",
          "[device][e2ee][adds]") {
  device::EncryptedRoomConfig c = EncryptedWorld::config();
  c.key_packages = 0;
  EncryptedWorld e(2, 2, c);
  auto& w = e.w;
  auto& room = e.room;
  const auto run_for = [&](double s) { e.run_for(s); };
  for (int round = 0; round < 2; ++round) {
    REQUIRE(w.send(1, 1, "m.room.member", "@u1:s1", {{"membership", "leave"}}) != mx::kNoEvent);
    run_for(5);
    mls::CommitOptions removes;
    removes.by_value = room.removals_due(0);
    REQUIRE(room.commit(0, removes).sent);
    run_for(5);
    REQUIRE(w.send(1, 1, "m.room.member", "@u1:s1", {{"membership", "join"}}) != mx::kNoEvent);
    run_for(5);
    REQUIRE(room.add_devices(0, room.devices_to_add(0)).sent);
    run_for(10);
    CHECK(room.group(6) != nullptr);
    CHECK(room.group(7) != nullptr);
  }
  CHECK(room.counts().key_packages_claimed == 0);
  CHECK(room.counts().last_resort_used == 4);
  CHECK(room.counts().joins == 4);
}

TEST_CASE(
    "encrypted room (DMLS): a commit the server refuses does not block the device's next "
    "commit",
    "[device][e2ee][dmls]") {
  device::EncryptedRoomConfig c = EncryptedWorld::config();
  c.dmls = true;
  EncryptedWorld e(3, 2, c);
  auto& w = e.w;
  auto& room = e.room;
  const auto run_for = [&](double s) { e.run_for(s); };
  // @u1:s2 (devices 10, 11) leaves; its server refuses its device's commit event (not joined).
  REQUIRE(w.send(2, 1, "m.room.member", "@u1:s2", {{"membership", "leave"}}) != mx::kNoEvent);
  run_for(5);
  REQUIRE(room.commit(10, {}).sent);
  run_for(5);
  CHECK(room.counts().sends_failed == 1);
  // Back in the room, the device commits again.
  REQUIRE(w.send(2, 1, "m.room.member", "@u1:s2", {{"membership", "join"}}) != mx::kNoEvent);
  run_for(5);
  const device::EncryptedRoom::SendResult again = room.commit(10, {});
  CHECK(again.sent);
  CHECK(std::string(again.refused).empty());
  run_for(5);
  CHECK(room.group(0)->epoch() == 1);
  CHECK(room.group(10)->epoch() == 1);
}
