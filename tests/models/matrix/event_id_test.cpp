#include <catch2/catch.hpp>

#include <algorithm>

#include "models/matrix/event_id.hpp"
#include "tests/models/matrix/room_fixture.hpp"

using namespace dmlssim::models::matrix;
using nlohmann::json;
namespace mx = dmlssim::models::matrix;

namespace {

json member_event() {
  return json::parse(R"({
    "type": "m.room.member", "state_key": "@bob:b.example", "sender": "@bob:b.example",
    "room_id": "!room:a.example", "origin": "b.example", "origin_server_ts": 1700000000123,
    "depth": 12, "membership": "join",
    "content": {"membership": "join", "displayname": "Bob \u65e5\n", "avatar_url": "mxc://x/y",
                "join_authorised_via_users_server": "@alice:a.example",
                "third_party_invite": {"display_name": "b", "signed": {"mxid": "@bob:b.example", "token": "t"}}},
    "prev_events": ["$p1", "$p2"], "auth_events": ["$a1", "$a2", "$a3"],
    "hashes": {"sha256": "abc"}, "signatures": {"b.example": {"ed25519:1": "sig"}},
    "unsigned": {"age": 5}, "prev_state": []
  })");
}

json power_levels_event() {
  return json::parse(R"({
    "type": "m.room.power_levels", "state_key": "", "sender": "@alice:a.example",
    "room_id": "!room:a.example", "origin_server_ts": 5, "depth": 3, "prev_events": ["$x"],
    "auth_events": ["$y"], "hashes": {"sha256": "h"},
    "content": {"ban": 50, "invite": 0, "kick": 50, "users": {"@alice:a.example": 100},
                "notifications": {"room": 50}, "events": {}}
  })");
}

}  // namespace

TEST_CASE("redaction keeps what each room version protects", "[matrix][event_id]") {
  const json v10 = redact(member_event(), room_v10());
  CHECK(v10.contains("origin"));
  CHECK(v10.contains("membership"));
  CHECK(v10.contains("prev_state"));
  CHECK_FALSE(v10.contains("unsigned"));
  CHECK(v10["content"] ==
        json::parse(
            R"({"membership": "join", "join_authorised_via_users_server": "@alice:a.example"})"));

  const json v11 = redact(member_event(), room_v11());
  CHECK_FALSE(v11.contains("origin"));
  CHECK_FALSE(v11.contains("membership"));
  CHECK_FALSE(v11.contains("prev_state"));
  CHECK(v11["content"]["third_party_invite"] ==
        json::parse(R"({"signed": {"mxid": "@bob:b.example", "token": "t"}})"));
  CHECK(v11.contains("signatures"));  // removed only for the reference hash

  CHECK_FALSE(redact(power_levels_event(), room_v10())["content"].contains("invite"));
  CHECK(redact(power_levels_event(), room_v11())["content"]["invite"] == 0);
  CHECK_FALSE(redact(power_levels_event(), room_v11())["content"].contains("notifications"));

  const json create = json::parse(
      R"({"type": "m.room.create", "content": {"creator": "@a:x", "room_version": "11", "m.federate": false}})");
  CHECK(redact(create, room_v10())["content"] == json::parse(R"({"creator": "@a:x"})"));
  CHECK(redact(create, room_v11())["content"] == create["content"]);
  const json redaction = json::parse(
      R"({"type": "m.room.redaction", "redacts": "$e", "content": {"redacts": "$e", "reason": "spam"}})");
  CHECK(redact(redaction, room_v11())["content"] == json::parse(R"({"redacts": "$e"})"));
  CHECK_FALSE(redact(redaction, room_v11()).contains("redacts"));
  CHECK(redact(redaction, room_v10())["content"] == json::object());
  const json message = json::parse(R"({"type": "m.room.message", "content": {"body": "hi"}})");
  CHECK(redact(message, room_v12())["content"] == json::object());
}

TEST_CASE("event IDs are the URL-safe Base64 of the reference hash", "[matrix][event_id]") {
  // Expected IDs computed independently in Python: hashlib.sha256 over
  // json.dumps(redacted, sort_keys=True, separators=(',', ':'), ensure_ascii=False).
  CHECK(event_id(member_event(), room_v10()) == "$fC8-Eu518HrQ0rO73sZWyS3Zb9biO50klNUHAgAkI4E");
  CHECK(event_id(member_event(), room_v11()) == "$E_kQTdRRYRStAOjjC8th1BC7Meu9QS_dm2Po_rZK6Sw");
  CHECK(event_id(power_levels_event(), room_v10()) ==
        "$GCf60un5YMtuzsgePasAwRDEnFD1Jj_Hg4BoyusN31o");
  CHECK(event_id(power_levels_event(), room_v11()) ==
        "$VGgr9a8LldUDZpTnO2BCB9TlOyo_XhlVuSsDtmgKWlA");
  // Signatures, unsigned data and redactable content do not change the ID.
  json e = member_event();
  e["signatures"]["c.example"] = {{"ed25519:2", "other"}};
  e["unsigned"]["age"] = 99;
  e["content"]["displayname"] = "Robert";
  CHECK(event_id(e, room_v11()) == event_id(member_event(), room_v11()));
  e["depth"] = 13;
  CHECK(event_id(e, room_v11()) != event_id(member_event(), room_v11()));
  CHECK(reference_hash(e, room_v11()).size() == 32);
}

TEST_CASE("room versions: identifiers and the rules that differ", "[matrix]") {
  REQUIRE(find_room_version("12") == &room_v12());
  CHECK(room_v10().id == "10");
  CHECK(find_room_version("1") == nullptr);  // state resolution v1 is not modelled
  CHECK(find_room_version("13") == nullptr);
  const RoomVersion* hydra = find_room_version("org.matrix.hydra.11");
  REQUIRE(hydra != nullptr);
  CHECK(hydra->state_res == StateResAlgorithm::kV2_1);
  CHECK(hydra->create_implicit_in_auth);
  CHECK(room_v11().state_res == StateResAlgorithm::kV2);
  CHECK(room_v11().creator_is_create_sender);
  CHECK_FALSE(room_v10().creator_is_create_sender);
  CHECK(room_v10().knock_restricted);
  CHECK_FALSE(find_room_version("9")->knock_restricted);
  CHECK(find_room_version("2")->special_aliases);
  CHECK_FALSE(find_room_version("6")->special_aliases);
  CHECK_THROWS_AS(redact(member_event(), *find_room_version("9")), std::invalid_argument);
}

TEST_CASE("built events cite the auth events the selection rules pick", "[matrix][event_id]") {
  for (const mx::RoomVersion* v : {&room_v11(), &room_v12()}) {
    dmlssim::testing::RoomFixture room(*v);
    const auto join = room.join("@alice:a.example");
    const auto pl =
        room.add("@alice:a.example", "m.room.power_levels", "", {{"users", json::object()}});
    const auto jr =
        room.add("@alice:a.example", "m.room.join_rules", "", {{"join_rule", "invite"}});
    const auto invite = room.member("@alice:a.example", "@bob:b.example", "invite");
    const auto bob = room.join("@bob:b.example");
    const auto msg = room.add("@bob:b.example", "m.room.message", std::nullopt, {{"body", "x"}});
    auto listed = [&](mx::EventIndex e) {
      const mx::Event& ev = room.store()[e];
      std::vector<mx::EventIndex> out(
          ev.auth_events.begin(),
          ev.auth_events.begin() + static_cast<long>(ev.listed_auth_count()));
      std::sort(out.begin(), out.end());
      return out;
    };
    // Create (not in v12), power levels, sender's membership; joins add the join rules and the
    // target's (here: own) previous membership.
    std::vector<mx::EventIndex> want_join{pl, jr, invite};
    std::vector<mx::EventIndex> want_msg{pl, bob};
    if (!v->create_implicit_in_auth) {
      want_join.insert(want_join.begin(), room.create());
      want_msg.insert(want_msg.begin(), room.create());
    }
    CHECK(listed(bob) == want_join);
    CHECK(listed(msg) == want_msg);
    CHECK(listed(join) == (v->create_implicit_in_auth
                               ? std::vector<mx::EventIndex>{}
                               : std::vector<mx::EventIndex>{room.create()}));
    // The PDU form hashes back to the event's ID.
    CHECK(event_id(mx::pdu_json(room.store(), room.store()[msg], "!room:a.example"), *v) ==
          room.store()[msg].event_id);
  }
}
