// Canonical JSON as the Matrix specification defines it (appendices, "Canonical JSON"): object keys
// sorted by Unicode code point, no insignificant whitespace, UTF-8 output with only the mandatory
// escapes, integers only in [-(2^53)+1, 2^53-1], no floating-point numbers. Signatures and event
// reference hashes are computed over this form.
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace dmlssim::models::matrix {

// Thrown for values canonical JSON cannot represent (floats, out-of-range integers).
class CanonicalJsonError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

std::string canonical_json(const nlohmann::json& value);

}  // namespace dmlssim::models::matrix
