#include "sim/time.hpp"

#include <array>
#include <cmath>
#include <stdexcept>

namespace dmlssim::sim {
namespace {

struct Unit {
  std::string_view name;
  int64_t ns;
};
// Longest names first so that "ms" is not read as "m" followed by garbage.
constexpr std::array<Unit, 7> kUnits = {{{"ns", 1},
                                         {"us", 1'000},
                                         {"ms", 1'000'000},
                                         {"s", 1'000'000'000},
                                         {"m", 60'000'000'000},
                                         {"h", 3'600'000'000'000},
                                         {"d", 86'400'000'000'000}}};

[[noreturn]] void bad(std::string_view text, std::string_view why) {
  throw std::invalid_argument("invalid duration '" + std::string(text) + "': " + std::string(why) +
                              " (expected e.g. 150ms, 30s, 1h15m, 7d; units ns us ms s m h d)");
}

}  // namespace

SimTime SimTime::from_seconds(double seconds) {
  double ns = std::nearbyint(seconds * 1e9);
  if (!std::isfinite(ns) || ns >= 9.2e18 || ns <= -9.2e18) {
    throw std::out_of_range("time out of range: " + std::to_string(seconds) + " s");
  }
  return SimTime(static_cast<int64_t>(ns));
}

SimTime parse_duration(std::string_view text) {
  if (text.empty()) bad(text, "empty");
  if (text == "0") return SimTime();
  std::size_t pos = 0;
  bool negative = false;
  if (text[0] == '-') {
    negative = true;
    pos = 1;
  }
  int64_t total = 0;
  std::size_t last_unit = 0;  // index in kUnits + 1 of the previous part; parts must descend
  while (pos < text.size()) {
    std::size_t start = pos;
    while (pos < text.size() && ((text[pos] >= '0' && text[pos] <= '9') || text[pos] == '.'))
      ++pos;
    if (pos == start) bad(text, "expected a number");
    std::string number(text.substr(start, pos - start));
    std::size_t ustart = pos;
    while (pos < text.size() && text[pos] >= 'a' && text[pos] <= 'z')
      ++pos;
    std::string_view unit_name = text.substr(ustart, pos - ustart);
    if (unit_name.empty()) bad(text, "missing unit after " + number);
    std::size_t unit_index = kUnits.size();
    for (std::size_t i = 0; i < kUnits.size(); ++i) {
      if (kUnits[i].name == unit_name) unit_index = i;
    }
    if (unit_index == kUnits.size()) bad(text, "unknown unit '" + std::string(unit_name) + "'");
    if (last_unit != 0 && unit_index + 1 >= last_unit) bad(text, "units must descend, as in 1h30m");
    last_unit = unit_index + 1;
    int64_t unit_ns = kUnits[unit_index].ns;
    std::size_t dot = number.find('.');
    int64_t part = 0;
    if (dot == std::string::npos) {
      if (number.size() > 18) bad(text, "number too large");
      int64_t whole = std::stoll(number);
      if (whole > INT64_MAX / unit_ns) bad(text, "out of range");
      part = whole * unit_ns;
    } else {
      if (number.find('.', dot + 1) != std::string::npos || dot == 0 || dot + 1 == number.size()) {
        bad(text, "malformed number " + number);
      }
      // Exact decimal arithmetic: whole part plus fraction digits scaled by the unit.
      std::string whole_s = number.substr(0, dot);
      std::string frac_s = number.substr(dot + 1);
      if (whole_s.size() > 18) bad(text, "number too large");
      int64_t whole = std::stoll(whole_s);
      if (whole > INT64_MAX / unit_ns) bad(text, "out of range");
      part = whole * unit_ns;
      int64_t scale = unit_ns;
      for (char c : frac_s) {
        if (scale % 10 != 0) bad(text, "more precision than a nanosecond");
        scale /= 10;
        part += (c - '0') * scale;
      }
    }
    if (total > INT64_MAX - part) bad(text, "out of range");
    total += part;
  }
  return SimTime::from_ns(negative ? -total : total);
}

std::string format_duration(SimTime t) {
  int64_t ns = t.ns();
  if (ns == 0) return "0s";
  std::string out;
  if (ns < 0) {
    out = "-";
    // INT64_MIN cannot be negated; it is not a meaningful duration anyway.
    ns = ns == INT64_MIN ? INT64_MAX : -ns;
  }
  for (std::size_t i = kUnits.size(); i-- > 0;) {
    int64_t u = kUnits[i].ns;
    if (ns >= u) {
      out += std::to_string(ns / u);
      out += kUnits[i].name;
      ns %= u;
    }
  }
  return out;
}

std::string format_seconds(SimTime t) {
  const int64_t ns = t.ns();
  const uint64_t magnitude = ns < 0 ? 0 - static_cast<uint64_t>(ns) : static_cast<uint64_t>(ns);
  std::string out = (ns < 0 ? "-" : "") + std::to_string(magnitude / 1'000'000'000);
  uint64_t frac = magnitude % 1'000'000'000;
  if (frac != 0) {
    std::string digits = std::to_string(frac);
    digits.insert(0, 9 - digits.size(), '0');
    while (digits.back() == '0')
      digits.pop_back();
    out += "." + digits;
  }
  return out;
}

}  // namespace dmlssim::sim
