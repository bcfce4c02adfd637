// The authorization rules, rule by rule, against the text of rooms/v10, v11 and v12.
#include <catch2/catch.hpp>

#include "tests/models/matrix/room_fixture.hpp"

using dmlssim::testing::RoomFixture;
using nlohmann::json;
namespace mx = dmlssim::models::matrix;

namespace {

const std::string kAlice = "@alice:a.example";
const std::string kBob = "@bob:b.example";
const std::string kCarol = "@carol:c.example";

// Alice's room: create, Alice joins, power levels {alice: 100}, join rule as given.
void standard_room(RoomFixture& room, const std::string& join_rule = "public",
                   json users = {{kAlice, 100}}) {
  room.join(kAlice);
  if (room.store().version().creators_infinite) users.erase(kAlice);
  room.add(kAlice, "m.room.power_levels", "", {{"users", users}});
  room.add(kAlice, "m.room.join_rules", "", {{"join_rule", join_rule}});
}

}  // namespace

TEST_CASE("auth rules: the creator's first join and the join rules", "[matrix][auth]") {
  for (const mx::RoomVersion* v : {&mx::room_v10(), &mx::room_v11(), &mx::room_v12()}) {
    CAPTURE(v->id);
    RoomFixture room(*v);
    // Rule "only prev event is the create and state_key is the creator": no join rules needed.
    CHECK(room.try_member(kAlice, kAlice, "join"));
    CHECK_FALSE(room.try_member(kBob, kBob, "join"));  // no join rules: invite only
    standard_room(room);
    CHECK(room.try_member(kBob, kBob, "join"));
    CHECK_FALSE(room.try_member(kBob, kCarol, "join"));  // join for someone else
  }
}

TEST_CASE("auth rules: invite-only rooms, invites and bans", "[matrix][auth]") {
  RoomFixture room(mx::room_v11());
  standard_room(room, "invite");
  CHECK_FALSE(room.try_member(kBob, kBob, "join"));
  CHECK_FALSE(room.try_member(kBob, kCarol, "invite"));  // inviter not joined
  room.member(kAlice, kBob, "invite");
  CHECK(room.try_member(kBob, kBob, "join"));
  room.join(kBob);
  CHECK_FALSE(room.try_member(kAlice, kBob, "invite"));  // already joined
  // Bob (level 0 >= invite 0) may invite.
  CHECK(room.try_member(kBob, kCarol, "invite"));
  // Bob may not kick or ban (50 needed); Alice may.
  CHECK_FALSE(room.try_member(kBob, kAlice, "leave"));
  CHECK_FALSE(room.try_member(kBob, kAlice, "ban"));
  room.member(kAlice, kBob, "ban");
  CHECK_FALSE(room.try_member(kBob, kBob, "join"));   // banned
  CHECK_FALSE(room.try_member(kBob, kBob, "leave"));  // banned users cannot leave
  CHECK_FALSE(room.try_member(kAlice, kBob, "invite"));
  CHECK(room.try_member(kAlice, kBob, "leave"));  // unban by a user above ban and kick levels
}

TEST_CASE("auth rules: kicks need the kick level and a lower target", "[matrix][auth]") {
  RoomFixture room(mx::room_v11());
  standard_room(room, "public", {{kAlice, 100}, {kBob, 50}, {kCarol, 50}});
  room.join(kBob);
  room.join(kCarol);
  CHECK_FALSE(room.try_member(kBob, kCarol, "leave"));  // equal level
  CHECK_FALSE(room.try_member(kBob, kAlice, "ban"));    // higher target
  CHECK(room.try_member(kAlice, kBob, "leave"));
  CHECK(room.try_member(kBob, kBob, "leave"));  // self-leave of a joined user
  // A kick needs no membership of the target: Dave (level 0) was never in the room.
  CHECK(room.try_member(kCarol, "@dave:d.example", "leave"));
  CHECK_FALSE(room.try_member(kCarol, "@dave:d.example", "knock"));  // public room, not knockable
  CHECK_FALSE(room.try_member(kCarol, kCarol, "dance"));             // unknown membership
}

TEST_CASE("auth rules: messages and state need membership and the required level",
          "[matrix][auth]") {
  RoomFixture room(mx::room_v11());
  standard_room(room);
  CHECK_FALSE(
      room.try_event(kBob, "m.room.message", std::nullopt, {{"body", "hi"}}));  // not joined
  room.join(kBob);
  CHECK(room.try_event(kBob, "m.room.message", std::nullopt, {{"body", "hi"}}));
  CHECK_FALSE(room.try_event(kBob, "m.room.topic", "", {{"topic", "t"}}));  // state_default 50
  CHECK(room.try_event(kAlice, "m.room.topic", "", {{"topic", "t"}}));
  // A state key naming another user is reserved for that user.
  CHECK_FALSE(room.try_event(kAlice, "org.example.profile", kBob, json::object()));
  CHECK(room.try_event(kAlice, "org.example.profile", kAlice, json::object()));
  // events[type] overrides the defaults either way.
  room.add(kAlice, "m.room.power_levels", "",
           {{"users", {{kAlice, 100}}}, {"events", {{"m.room.topic", 0}, {"m.room.message", 10}}}});
  CHECK(room.try_event(kBob, "m.room.topic", "", {{"topic", "t"}}));
  CHECK_FALSE(room.try_event(kBob, "m.room.message", std::nullopt, {{"body", "hi"}}));
}

TEST_CASE("auth rules: power-level changes", "[matrix][auth]") {
  RoomFixture room(mx::room_v11());
  standard_room(room, "public", {{kAlice, 100}, {kBob, 50}});
  room.join(kBob);
  room.join(kCarol);
  const json base = {{"users", {{kAlice, 100}, {kBob, 50}}}};
  auto with = [&](const std::string& path, const json& value) {
    json c = base;
    c[json::json_pointer(path)] = value;
    return c;
  };
  // Bob (50) needs state_default 50 to send power levels at all.
  CHECK(room.try_event(kBob, "m.room.power_levels", "", with("/users/@carol:c.example", 50)));
  CHECK_FALSE(room.try_event(kBob, "m.room.power_levels", "", with("/users/@carol:c.example", 51)));
  CHECK_FALSE(room.try_event(kBob, "m.room.power_levels", "", with("/users/@alice:a.example", 0)));
  CHECK(room.try_event(kBob, "m.room.power_levels", "", with("/users/@bob:b.example", 10)));  // own
  CHECK(room.try_event(kBob, "m.room.power_levels", "", with("/ban", 50)));  // added, not above
  CHECK_FALSE(room.try_event(kBob, "m.room.power_levels", "", with("/ban", 60)));
  CHECK_FALSE(room.try_event(kBob, "m.room.power_levels", "", with("/events/m.room.name", 51)));
  CHECK(room.try_event(kBob, "m.room.power_levels", "", with("/events/m.room.name", 50)));
  CHECK(room.try_event(kAlice, "m.room.power_levels", "", with("/users/@bob:b.example", 0)));
  room.add(kAlice, "m.room.power_levels", "", with("/kick", 75));
  // Removing a value above the sender's level is a change of it.
  CHECK_FALSE(room.try_event(kBob, "m.room.power_levels", "", base));
  // v10+: levels must be integers; `users` keys must be user IDs.
  CHECK_FALSE(room.try_event(kAlice, "m.room.power_levels", "", with("/ban", "50")));
  CHECK_FALSE(room.try_event(kAlice, "m.room.power_levels", "", with("/users/bob", 1)));
  CHECK_FALSE(room.try_event(kAlice, "m.room.power_levels", "", with("/events/m.room.name", true)));
}

TEST_CASE("auth rules: string levels before v10", "[matrix][auth]") {
  RoomFixture room(*mx::find_room_version("9"));
  standard_room(room);
  CHECK(room.try_event(kAlice, "m.room.power_levels", "",
                       {{"users", {{kAlice, "100"}}}, {"ban", " 60 "}}));
  CHECK_FALSE(room.try_event(kAlice, "m.room.power_levels", "",
                             {{"users", {{kAlice, 100}}}, {"ban", "sixty"}}));
}

TEST_CASE("auth rules: v12 creators are infinite and unlisted", "[matrix][auth]") {
  RoomFixture room(mx::room_v12(), kAlice, {{"additional_creators", {kCarol}}});
  standard_room(room, "public", {{kBob, 100}});
  room.join(kBob);
  room.join(kCarol);
  // Bob at 100 cannot touch a creator; creators may do anything to Bob.
  CHECK_FALSE(room.try_member(kBob, kCarol, "ban"));
  CHECK_FALSE(room.try_member(kBob, kAlice, "leave"));
  CHECK(room.try_member(kCarol, kBob, "ban"));
  CHECK_FALSE(room.try_event(kAlice, "m.room.power_levels", "", {{"users", {{kCarol, 100}}}}));
  CHECK(room.try_event(kCarol, "m.room.power_levels", "", {{"users", {{kBob, 9000}}}}));
  // Creators do not appear among auth events: the room ID names the create event.
  const mx::Event& last = room.store()[room.tip()];
  CHECK(last.create_is_implicit);
  for (std::size_t i = 0; i < last.listed_auth_count(); ++i) {
    CHECK(last.auth_events[i] != room.create());
  }
  CHECK(mx::check_auth_events(room.store(), last));
}

TEST_CASE("auth rules: create events", "[matrix][auth]") {
  mx::EventStore v10(mx::room_v10());
  mx::EventSpec create{"$c", "m.room.create", "", kAlice, {{"room_version", "10"}}, 1, 1, {}, {}};
  // v1-v10 need content.creator.
  const auto no_creator = v10.add(create);
  CHECK_FALSE(mx::check_auth_rules(v10, v10[no_creator], {}));
  mx::EventStore v12(mx::room_v12());
  create.content = {{"additional_creators", {"not-a-user"}}};
  const auto bad_extra = v12.add(create);
  CHECK_FALSE(mx::check_auth_rules(v12, v12[bad_extra], {}));
  mx::EventStore v11(mx::room_v11());
  create.content = {{"room_version", "999"}};
  CHECK_FALSE(mx::check_auth_rules(v11, v11[v11.add(create)], {}));
  create.event_id = "$c2";
  create.content = json::object();
  CHECK(mx::check_auth_rules(v11, v11[v11.add(create)], {}));
}

TEST_CASE("auth rules: knocking and restricted joins", "[matrix][auth]") {
  RoomFixture room(mx::room_v11());
  standard_room(room, "knock_restricted");
  CHECK(room.try_member(kBob, kBob, "knock"));
  CHECK_FALSE(room.try_member(kBob, kCarol, "knock"));
  CHECK_FALSE(room.try_member(kBob, kBob, "join"));  // restricted, not authorised
  CHECK(room.try_event(kBob, "m.room.member", kBob,
                       {{"membership", "join"}, {"join_authorised_via_users_server", kAlice}}));
  // The authorising user must be joined.
  CHECK_FALSE(
      room.try_event(kBob, "m.room.member", kBob,
                     {{"membership", "join"}, {"join_authorised_via_users_server", kCarol}}));
  // v9 does not know knock_restricted: it is an unknown rule there.
  RoomFixture v9(*mx::find_room_version("9"));
  standard_room(v9, "knock_restricted");
  CHECK_FALSE(v9.try_member(kBob, kBob, "knock"));
  CHECK_FALSE(v9.try_event(kBob, "m.room.member", kBob,
                           {{"membership", "join"}, {"join_authorised_via_users_server", kAlice}}));
}

TEST_CASE("auth rules: rooms that do not federate", "[matrix][auth]") {
  RoomFixture room(mx::room_v11(), kAlice, {{"m.federate", false}});
  standard_room(room);
  CHECK_FALSE(room.try_member(kBob, kBob, "join"));
  CHECK(room.try_member("@alice2:a.example", "@alice2:a.example", "join"));
}

TEST_CASE("auth rules: third-party invites", "[matrix][auth]") {
  RoomFixture room(mx::room_v11());
  standard_room(room);
  room.add(kAlice, "m.room.third_party_invite", "tok", {{"public_key", "k"}});
  auto invite = [&](const std::string& mxid) {
    return json{{"membership", "invite"},
                {"third_party_invite",
                 {{"signed", {{"mxid", mxid}, {"token", "tok"}, {"signatures", {{"x", "y"}}}}}}}};
  };
  CHECK(room.try_event(kAlice, "m.room.member", kBob, invite(kBob)));
  CHECK_FALSE(room.try_event(kAlice, "m.room.member", kBob, invite(kCarol)));
  room.join(kCarol);
  CHECK_FALSE(room.try_event(kCarol, "m.room.member", kBob, invite(kBob)));  // other sender
}

TEST_CASE(
    "sort power comes from the event's own auth events (Synapse test_get_power_level_for_sender)",
    "[matrix][auth]") {
  for (const mx::RoomVersion* v : {&mx::room_v10(), &mx::room_v11()}) {
    RoomFixture room(*v);
    const auto join = room.join(kAlice);
    CHECK(room.store()[join].sender_power_for_sort == 100);  // creator, no power levels yet
    room.add(kAlice, "m.room.power_levels", "",
             {{"users", {{kAlice, 100}, {kBob, 50}}}, {"users_default", 10}});
    room.add(kAlice, "m.room.join_rules", "", {{"join_rule", "public"}});
    CHECK(room.store()[room.join(kBob)].sender_power_for_sort == 50);
    CHECK(room.store()[room.join(kCarol)].sender_power_for_sort == 10);
  }
}

TEST_CASE("user levels by member key: listed, default, creator, infinite creators",
          "[matrix][auth]") {
  for (const mx::RoomVersion* v : {&mx::room_v11(), &mx::room_v12()}) {
    RoomFixture room(*v);
    mx::EventStore& store = room.store();
    auto key = [&](const std::string& user) { return store.intern_key("m.room.member", user); };
    // No power levels yet: the creator has 100 (v12: infinite), everyone else 0.
    const mx::PowerLevel creator = v->creators_infinite ? mx::kInfinitePower : 100;
    CHECK(mx::user_level(store, room.create(), mx::kNoEvent, key(kAlice)) == creator);
    CHECK(mx::user_level(store, room.create(), mx::kNoEvent, key(kBob)) == 0);
    room.join(kAlice);
    nlohmann::json users = {{kBob, 50}};
    if (!v->creators_infinite) users[kAlice] = 100;
    const auto pl =
        room.add(kAlice, "m.room.power_levels", "", {{"users", users}, {"users_default", 10}});
    CHECK(mx::user_level(store, room.create(), pl, key(kAlice)) == creator);
    CHECK(mx::user_level(store, room.create(), pl, key(kBob)) == 50);
    CHECK(mx::user_level(store, room.create(), pl, key(kCarol)) == 10);
  }
}
