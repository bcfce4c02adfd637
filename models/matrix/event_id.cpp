#include "models/matrix/event_id.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "models/matrix/base64.hpp"
#include "models/matrix/canonical_json.hpp"

namespace dmlssim::models::matrix {
namespace {

using Keys = std::vector<std::string>;

bool contains(const Keys& keys, const std::string& key) {
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

nlohmann::json keep_only(const nlohmann::json& object, const Keys& keys) {
  nlohmann::json out = nlohmann::json::object();
  if (!object.is_object()) return out;
  for (const auto& [key, value] : object.items()) {
    if (contains(keys, key)) out[key] = value;
  }
  return out;
}

// Top-level keys that survive redaction.
const Keys& top_level_keys(RedactionRules v) {
  static const Keys v10 = {"event_id",   "type",
                           "room_id",    "sender",
                           "state_key",  "content",
                           "hashes",     "signatures",
                           "depth",      "prev_events",
                           "prev_state", "auth_events",
                           "origin",     "origin_server_ts",
                           "membership"};
  // v11: origin, membership and prev_state are no longer protected.
  static const Keys v11 = {"event_id",  "type",        "room_id",     "sender",
                           "state_key", "content",     "hashes",      "signatures",
                           "depth",     "prev_events", "auth_events", "origin_server_ts"};
  return v == RedactionRules::kV10 ? v10 : v11;
}

nlohmann::json redact_content(const std::string& type, const nlohmann::json& content,
                              RedactionRules v) {
  const bool v11 = v == RedactionRules::kV11;
  if (type == "m.room.member") {
    nlohmann::json out = keep_only(content, {"membership", "join_authorised_via_users_server"});
    // v11: third_party_invite survives with only its `signed` key.
    if (v11 && content.is_object() && content.contains("third_party_invite") &&
        content["third_party_invite"].is_object() &&
        content["third_party_invite"].contains("signed")) {
      out["third_party_invite"] = {{"signed", content["third_party_invite"]["signed"]}};
    }
    return out;
  }
  if (type == "m.room.create") {
    return v11 ? (content.is_object() ? content : nlohmann::json::object())
               : keep_only(content, {"creator"});
  }
  if (type == "m.room.join_rules") return keep_only(content, {"join_rule", "allow"});
  if (type == "m.room.power_levels") {
    Keys keys = {"ban",    "events",        "events_default", "kick",
                 "redact", "state_default", "users",          "users_default"};
    if (v11) keys.push_back("invite");
    return keep_only(content, keys);
  }
  if (type == "m.room.history_visibility") return keep_only(content, {"history_visibility"});
  if (type == "m.room.redaction" && v11) return keep_only(content, {"redacts"});
  return nlohmann::json::object();
}

}  // namespace

nlohmann::json redact(const nlohmann::json& event, const RoomVersion& version) {
  if (!event.is_object()) throw std::invalid_argument("redact: an event is a JSON object");
  if (version.redaction == RedactionRules::kNone) {
    throw std::invalid_argument("redact: the redaction rules of room version " +
                                std::string(version.id) + " are not modelled");
  }
  nlohmann::json out = keep_only(event, top_level_keys(version.redaction));
  const std::string type =
      event.contains("type") && event["type"].is_string() ? event["type"].get<std::string>() : "";
  out["content"] =
      redact_content(type, event.contains("content") ? event["content"] : nlohmann::json::object(),
                     version.redaction);
  return out;
}

std::string reference_hash(const nlohmann::json& event, const RoomVersion& version) {
  nlohmann::json redacted = redact(event, version);
  redacted.erase("signatures");
  redacted.erase("unsigned");
  const std::string canonical = canonical_json(redacted);
  unsigned char digest[32];
  unsigned int len = 0;
  if (EVP_Digest(canonical.data(), canonical.size(), digest, &len, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("reference_hash: SHA-256 failed");
  }
  return std::string(reinterpret_cast<const char*>(digest), len);
}

std::string event_id(const nlohmann::json& event, const RoomVersion& version) {
  return "$" + unpadded_base64_url(reference_hash(event, version));
}

}  // namespace dmlssim::models::matrix
