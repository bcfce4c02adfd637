#include "models/matrix/room_version.hpp"

namespace dmlssim::models::matrix {

std::optional<RoomVersion> parse_room_version(std::string_view text) {
  if (text == "10") return RoomVersion::kV10;
  if (text == "11") return RoomVersion::kV11;
  if (text == "12") return RoomVersion::kV12;
  return std::nullopt;
}

std::string to_string(RoomVersion v) {
  switch (v) {
    case RoomVersion::kV10:
      return "10";
    case RoomVersion::kV11:
      return "11";
    case RoomVersion::kV12:
      return "12";
  }
  return "?";
}

}  // namespace dmlssim::models::matrix
