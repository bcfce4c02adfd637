#include <catch2/catch.hpp>

#include "models/matrix/event_id.hpp"

using namespace dmlssim::models::matrix;
using nlohmann::json;

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
  const json v10 = redact(member_event(), RoomVersion::kV10);
  CHECK(v10.contains("origin"));
  CHECK(v10.contains("membership"));
  CHECK(v10.contains("prev_state"));
  CHECK_FALSE(v10.contains("unsigned"));
  CHECK(v10["content"] ==
        json::parse(
            R"({"membership": "join", "join_authorised_via_users_server": "@alice:a.example"})"));

  const json v11 = redact(member_event(), RoomVersion::kV11);
  CHECK_FALSE(v11.contains("origin"));
  CHECK_FALSE(v11.contains("membership"));
  CHECK_FALSE(v11.contains("prev_state"));
  CHECK(v11["content"]["third_party_invite"] ==
        json::parse(R"({"signed": {"mxid": "@bob:b.example", "token": "t"}})"));
  CHECK(v11.contains("signatures"));  // removed only for the reference hash

  CHECK_FALSE(redact(power_levels_event(), RoomVersion::kV10)["content"].contains("invite"));
  CHECK(redact(power_levels_event(), RoomVersion::kV11)["content"]["invite"] == 0);
  CHECK_FALSE(redact(power_levels_event(), RoomVersion::kV11)["content"].contains("notifications"));

  const json create = json::parse(
      R"({"type": "m.room.create", "content": {"creator": "@a:x", "room_version": "11", "m.federate": false}})");
  CHECK(redact(create, RoomVersion::kV10)["content"] == json::parse(R"({"creator": "@a:x"})"));
  CHECK(redact(create, RoomVersion::kV11)["content"] == create["content"]);
  const json redaction = json::parse(
      R"({"type": "m.room.redaction", "redacts": "$e", "content": {"redacts": "$e", "reason": "spam"}})");
  CHECK(redact(redaction, RoomVersion::kV11)["content"] == json::parse(R"({"redacts": "$e"})"));
  CHECK_FALSE(redact(redaction, RoomVersion::kV11).contains("redacts"));
  CHECK(redact(redaction, RoomVersion::kV10)["content"] == json::object());
  const json message = json::parse(R"({"type": "m.room.message", "content": {"body": "hi"}})");
  CHECK(redact(message, RoomVersion::kV12)["content"] == json::object());
}

TEST_CASE("event IDs are the URL-safe Base64 of the reference hash", "[matrix][event_id]") {
  // Expected IDs computed independently in Python: hashlib.sha256 over
  // json.dumps(redacted, sort_keys=True, separators=(',', ':'), ensure_ascii=False).
  CHECK(event_id(member_event(), RoomVersion::kV10) ==
        "$fC8-Eu518HrQ0rO73sZWyS3Zb9biO50klNUHAgAkI4E");
  CHECK(event_id(member_event(), RoomVersion::kV11) ==
        "$E_kQTdRRYRStAOjjC8th1BC7Meu9QS_dm2Po_rZK6Sw");
  CHECK(event_id(power_levels_event(), RoomVersion::kV10) ==
        "$GCf60un5YMtuzsgePasAwRDEnFD1Jj_Hg4BoyusN31o");
  CHECK(event_id(power_levels_event(), RoomVersion::kV11) ==
        "$VGgr9a8LldUDZpTnO2BCB9TlOyo_XhlVuSsDtmgKWlA");
  // Signatures, unsigned data and redactable content do not change the ID.
  json e = member_event();
  e["signatures"]["c.example"] = {{"ed25519:2", "other"}};
  e["unsigned"]["age"] = 99;
  e["content"]["displayname"] = "Robert";
  CHECK(event_id(e, RoomVersion::kV11) == event_id(member_event(), RoomVersion::kV11));
  e["depth"] = 13;
  CHECK(event_id(e, RoomVersion::kV11) != event_id(member_event(), RoomVersion::kV11));
  CHECK(reference_hash(e, RoomVersion::kV11).size() == 32);
}

TEST_CASE("room versions parse and print", "[matrix]") {
  CHECK(parse_room_version("12") == RoomVersion::kV12);
  CHECK(to_string(RoomVersion::kV10) == "10");
  CHECK_FALSE(parse_room_version("9").has_value());
  CHECK_FALSE(parse_room_version("org.matrix.hydra.11").has_value());
}
