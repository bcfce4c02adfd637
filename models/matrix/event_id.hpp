// Redaction and reference hashes of events, and the event IDs derived from them.
//
// Server-server API, "Calculating the reference hash for an event": redact the event, remove
// `signatures` and `unsigned`, encode as canonical JSON, SHA-256. In room versions >= 4 the event
// ID is "$" followed by the URL-safe unpadded Base64 of that hash.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "models/matrix/room_version.hpp"

namespace dmlssim::models::matrix {

// The redaction algorithm of the room version (rooms/v10: keys of v9; rooms/v11 and v12: the
// clarified rules of v11, which v12 keeps). `event` must be a JSON object;
// throws std::invalid_argument for versions whose redaction rules are not modelled (below 10).
nlohmann::json redact(const nlohmann::json& event, const RoomVersion& version);

// The 32-byte SHA-256 reference hash, as raw bytes.
std::string reference_hash(const nlohmann::json& event, const RoomVersion& version);

// "$" + unpadded URL-safe Base64 of the reference hash.
std::string event_id(const nlohmann::json& event, const RoomVersion& version);

}  // namespace dmlssim::models::matrix
