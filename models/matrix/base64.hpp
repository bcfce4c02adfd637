// Unpadded Base64 (Matrix appendices, "Unpadded Base64"): RFC 4648 without "=" padding, in the
// standard alphabet or the URL-safe one (room versions >= 4 use it for event IDs).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace dmlssim::models::matrix {

std::string unpadded_base64(std::string_view bytes);
std::string unpadded_base64_url(std::string_view bytes);

}  // namespace dmlssim::models::matrix
