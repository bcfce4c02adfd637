#include "scenarios/room_users.hpp"

#include <cctype>

namespace dmlssim::scenarios {
namespace {

// A whole number without a leading zero, of at most 9 digits.
std::optional<std::size_t> whole_number(const std::string& text) {
  if (text.empty() || text.size() > 9 || (text.size() > 1 && text[0] == '0')) return std::nullopt;
  for (const char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  }
  return std::stoul(text);
}

}  // namespace

std::optional<std::size_t> room_user_index(const std::string& id,
                                           const models::matrix::RoomSetup& room) {
  const std::size_t colon = id.find(":s");
  if (id.rfind("@u", 0) != 0 || colon == std::string::npos) return std::nullopt;
  const auto i = whole_number(id.substr(2, colon - 2));
  const auto server = whole_number(id.substr(colon + 2));
  if (!i || !server || *server >= room.users_per_server.size() ||
      *i >= room.users_per_server[*server])
    return std::nullopt;
  std::size_t index = *i;
  for (std::size_t s = 0; s < *server; ++s)
    index += room.users_per_server[s];
  return index;
}

std::optional<std::pair<std::size_t, std::uint32_t>> room_device(
    const std::string& name, const models::matrix::RoomSetup& room) {
  const std::size_t slash = name.find("/D");
  if (slash == std::string::npos) return std::nullopt;
  const auto user = room_user_index(name.substr(0, slash), room);
  const auto k = whole_number(name.substr(slash + 2));
  if (!user || !k) return std::nullopt;
  return std::make_pair(*user, static_cast<std::uint32_t>(*k));
}

}  // namespace dmlssim::scenarios
