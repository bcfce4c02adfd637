// Matrix user IDs (appendices, "User Identifiers"): "@localpart:domain".
#pragma once

#include <string_view>

namespace dmlssim::models::matrix {

// True for "@localpart:domain" with a non-empty localpart and domain, at most 255 bytes. Historical
// localparts (any printable ASCII but ':') are accepted, as servers must for existing rooms.
bool is_valid_user_id(std::string_view id);

// The server name after the first ':' ("" when there is none). Works for user, room and v1-v3
// event IDs alike.
std::string_view domain_of(std::string_view id);

}  // namespace dmlssim::models::matrix
