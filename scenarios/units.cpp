#include "scenarios/units.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace dmlssim::scenarios {
namespace {

struct BandwidthUnit {
  std::string_view name;
  double scale;
};
constexpr std::array<BandwidthUnit, 5> kBandwidthUnits = {
    {{"Tbit", 1e12}, {"Gbit", 1e9}, {"Mbit", 1e6}, {"kbit", 1e3}, {"bit", 1}}};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

double parse_number(std::string_view text) {
  text = trim(text);
  double value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() ||
      !std::isfinite(value)) {
    throw std::invalid_argument("'" + std::string(text) + "' is not a number");
  }
  return value;
}

double parse_rate(std::string_view text) {
  const std::string_view t = trim(text);
  const auto bad = [&] {
    return std::invalid_argument("invalid rate '" + std::string(t) +
                                 "' (expected a count per unit of time: 10/h, 2/min, 1/d, "
                                 "0.5/s, or 0)");
  };
  const std::size_t slash = t.find('/');
  if (slash == std::string_view::npos) {
    double v = 0;
    try {
      v = parse_number(t);
    } catch (const std::invalid_argument&) {
      throw bad();
    }
    if (v != 0) throw bad();
    return 0;
  }
  double count = 0;
  try {
    count = parse_number(t.substr(0, slash));
  } catch (const std::invalid_argument&) {
    throw bad();
  }
  const std::string_view unit = trim(t.substr(slash + 1));
  double seconds = 0;
  if (unit == "s") {
    seconds = 1;
  } else if (unit == "min") {
    seconds = 60;
  } else if (unit == "h") {
    seconds = 3600;
  } else if (unit == "d") {
    seconds = 86400;
  } else {
    throw bad();
  }
  if (count < 0)
    throw std::invalid_argument("a rate cannot be negative, got '" + std::string(t) + "'");
  return count / seconds;
}

double parse_bandwidth(std::string_view text) {
  for (const auto& unit : kBandwidthUnits) {
    if (text.size() > unit.name.size() && text.ends_with(unit.name)) {
      double v = 0;
      try {
        v = parse_number(text.substr(0, text.size() - unit.name.size()));
      } catch (const std::invalid_argument&) {
        break;
      }
      if (v <= 0)
        throw std::invalid_argument("bandwidth must be > 0, got '" + std::string(text) + "'");
      return v * unit.scale;
    }
  }
  throw std::invalid_argument("invalid bandwidth '" + std::string(text) +
                              "' (expected a number and a unit per second: bit, kbit, Mbit, Gbit, "
                              "Tbit; e.g. 100Mbit)");
}

std::string format_bandwidth(double bps) {
  for (const auto& unit : kBandwidthUnits) {
    const double v = bps / unit.scale;
    if (v >= 1 && v * unit.scale == bps) {
      char buf[32];
      auto res = std::to_chars(buf, buf + sizeof(buf), v);
      return std::string(buf, res.ptr) + std::string(unit.name);
    }
  }
  char buf[32];
  auto res = std::to_chars(buf, buf + sizeof(buf), bps);
  return std::string(buf, res.ptr) + "bit";
}

double parse_probability(std::string_view text) {
  double p = 0;
  if (text.ends_with("%")) {
    p = parse_number(text.substr(0, text.size() - 1)) / 100;
  } else {
    p = parse_number(text);
  }
  if (p < 0 || p > 1) {
    throw std::invalid_argument("probability '" + std::string(text) +
                                "' outside [0, 1] (or 0%..100%)");
  }
  return p;
}

Call parse_call(std::string_view text) {
  text = trim(text);
  Call call;
  const auto open = text.find('(');
  auto valid_name = [](std::string_view n) {
    if (n.empty()) return false;
    for (char c : n) {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
    }
    return true;
  };
  if (open == std::string_view::npos) {
    if (!valid_name(text)) throw std::invalid_argument("'" + std::string(text) + "' is not a name");
    call.name = std::string(text);
    return call;
  }
  if (text.back() != ')') throw std::invalid_argument("missing ')' in '" + std::string(text) + "'");
  call.name = std::string(trim(text.substr(0, open)));
  if (!valid_name(call.name)) throw std::invalid_argument("'" + call.name + "' is not a name");
  std::string_view inner = trim(text.substr(open + 1, text.size() - open - 2));
  while (!inner.empty()) {
    const auto comma = inner.find(',');
    std::string_view item = trim(inner.substr(0, comma));
    const auto eq = item.find('=');
    if (eq == std::string_view::npos) {
      throw std::invalid_argument("argument '" + std::string(item) + "' of " + call.name +
                                  " must be key=value");
    }
    std::string key(trim(item.substr(0, eq)));
    std::string value(trim(item.substr(eq + 1)));
    if (!valid_name(key) || value.empty()) {
      throw std::invalid_argument("argument '" + std::string(item) + "' of " + call.name +
                                  " must be key=value");
    }
    for (const auto& [k, v] : call.args) {
      if (k == key)
        throw std::invalid_argument("argument '" + key + "' given twice to " + call.name);
    }
    call.args.emplace_back(std::move(key), std::move(value));
    if (comma == std::string_view::npos) break;
    inner = trim(inner.substr(comma + 1));
    if (inner.empty()) throw std::invalid_argument("trailing ',' in '" + std::string(text) + "'");
  }
  return call;
}

}  // namespace dmlssim::scenarios
