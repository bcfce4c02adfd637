#include "models/matrix/canonical_json.hpp"

namespace dmlssim::models::matrix {
namespace {

constexpr int64_t kMaxSafeInteger = (int64_t{1} << 53) - 1;

// Rejects what canonical JSON forbids; nlohmann's dump already sorts keys (std::map, byte order
// = code point order for UTF-8), omits whitespace and escapes only what JSON requires.
void check(const nlohmann::json& v, const std::string& path) {
  switch (v.type()) {
    case nlohmann::json::value_t::object:
      for (const auto& [key, child] : v.items())
        check(child, path + "." + key);
      break;
    case nlohmann::json::value_t::array:
      for (std::size_t i = 0; i < v.size(); ++i)
        check(v[i], path + "[" + std::to_string(i) + "]");
      break;
    case nlohmann::json::value_t::number_float: {
      // -0 and whole numbers written as floats (1e10) are integers in disguise.
      const double d = v.get<double>();
      if (d != static_cast<double>(static_cast<int64_t>(d)) || d > kMaxSafeInteger ||
          d < -kMaxSafeInteger) {
        throw CanonicalJsonError("canonical JSON has no floating-point numbers (at " + path + ")");
      }
      break;
    }
    case nlohmann::json::value_t::number_integer:
      if (v.get<int64_t>() > kMaxSafeInteger || v.get<int64_t>() < -kMaxSafeInteger) {
        throw CanonicalJsonError("integer out of the canonical JSON range (at " + path + ")");
      }
      break;
    case nlohmann::json::value_t::number_unsigned:
      if (v.get<uint64_t>() > static_cast<uint64_t>(kMaxSafeInteger)) {
        throw CanonicalJsonError("integer out of the canonical JSON range (at " + path + ")");
      }
      break;
    default:
      break;
  }
}

// Integral floats become integers so that 1e10 prints as 10000000000 and -0 as 0.
nlohmann::json normalise(const nlohmann::json& v) {
  if (v.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [key, child] : v.items())
      out[key] = normalise(child);
    return out;
  }
  if (v.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& child : v)
      out.push_back(normalise(child));
    return out;
  }
  if (v.is_number_float()) return static_cast<int64_t>(v.get<double>());
  return v;
}

}  // namespace

std::string canonical_json(const nlohmann::json& value) {
  check(value, "$");
  // ensure_ascii = false: UTF-8 as is; strict error handling rejects invalid UTF-8.
  try {
    return normalise(value).dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
  } catch (const nlohmann::json::exception& e) {
    throw CanonicalJsonError(std::string("canonical JSON needs valid UTF-8 strings: ") + e.what());
  }
}

}  // namespace dmlssim::models::matrix
