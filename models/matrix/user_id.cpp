#include "models/matrix/user_id.hpp"

namespace dmlssim::models::matrix {

bool is_valid_user_id(std::string_view id) {
  if (id.size() < 4 || id.size() > 255 || id.front() != '@') return false;
  const std::size_t colon = id.find(':');
  if (colon == std::string_view::npos || colon == 1 || colon + 1 == id.size()) return false;
  for (std::size_t i = 1; i < colon; ++i) {
    const unsigned char c = static_cast<unsigned char>(id[i]);
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

std::string_view domain_of(std::string_view id) {
  const std::size_t colon = id.find(':');
  return colon == std::string_view::npos ? std::string_view() : id.substr(colon + 1);
}

}  // namespace dmlssim::models::matrix
