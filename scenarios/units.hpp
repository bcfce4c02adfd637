// Parsers for the value syntaxes of scenario files. Each throws std::invalid_argument with a
// message that says what was expected; the YAML reader adds file, line and key.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dmlssim::scenarios {

// "100Mbit", "1.5Gbit", "512kbit", "800bit" (per second) -> bits per second. Units: bit, kbit,
// Mbit, Gbit, Tbit (decimal multiples).
double parse_bandwidth(std::string_view text);
// Canonical text of a bandwidth, exact: 1e8 -> "100Mbit".
std::string format_bandwidth(double bits_per_second);

// "0.01" or "1%" -> a probability in [0, 1].
double parse_probability(std::string_view text);

// The call syntax used for distributions and strategies: "name" or "name(key=value, ...)".
struct Call {
  std::string name;
  std::vector<std::pair<std::string, std::string>> args;  // in written order, keys unique
};
Call parse_call(std::string_view text);

// "10/h", "2.5/min", "1/d", "0.2/s" or "0" -> events per second (>= 0).
double parse_rate(std::string_view text);

// A finite decimal number, without unit.
double parse_number(std::string_view text);

}  // namespace dmlssim::scenarios
