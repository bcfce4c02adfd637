// Simulated time: a signed 64-bit count of nanoseconds since the start of a run.
//
// Integer time keeps event ordering exact and runs reproducible on every platform; the range
// (about ±292 years) is far beyond any experiment. Durations and instants share the type.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace dmlssim::sim {

class SimTime {
 public:
  constexpr SimTime() = default;
  static constexpr SimTime from_ns(int64_t ns) { return SimTime(ns); }
  static constexpr SimTime max() { return SimTime(INT64_MAX); }
  // Rounds to the nearest nanosecond; `seconds` must be finite and within range.
  static SimTime from_seconds(double seconds);

  constexpr int64_t ns() const { return ns_; }
  constexpr double seconds() const { return static_cast<double>(ns_) * 1e-9; }

  constexpr auto operator<=>(const SimTime&) const = default;
  constexpr SimTime operator+(SimTime o) const { return SimTime(ns_ + o.ns_); }
  constexpr SimTime operator-(SimTime o) const { return SimTime(ns_ - o.ns_); }
  constexpr SimTime& operator+=(SimTime o) {
    ns_ += o.ns_;
    return *this;
  }
  constexpr SimTime& operator-=(SimTime o) {
    ns_ -= o.ns_;
    return *this;
  }
  constexpr SimTime operator*(int64_t k) const { return SimTime(ns_ * k); }
  constexpr int64_t operator/(SimTime o) const { return ns_ / o.ns_; }

 private:
  constexpr explicit SimTime(int64_t ns) : ns_(ns) {}
  int64_t ns_ = 0;
};

inline constexpr SimTime kNanosecond = SimTime::from_ns(1);
inline constexpr SimTime kMicrosecond = SimTime::from_ns(1'000);
inline constexpr SimTime kMillisecond = SimTime::from_ns(1'000'000);
inline constexpr SimTime kSecond = SimTime::from_ns(1'000'000'000);
inline constexpr SimTime kMinute = kSecond * 60;
inline constexpr SimTime kHour = kMinute * 60;
inline constexpr SimTime kDay = kHour * 24;

// Parses a duration such as "150ms", "30s", "1h15m", "7d", "2.5s" or "0". Units: ns, us, ms, s, m,
// h, d. A bare number other than 0 is rejected: every duration in a scenario names its unit.
// Throws std::invalid_argument with a message that says what was expected.
SimTime parse_duration(std::string_view text);

// Prints the shortest exact form using the largest units: 5400s -> "1h30m", 1500ms -> "1s500ms".
std::string format_duration(SimTime t);

// Exact decimal seconds without trailing zeros: 1500ms -> "1.5", 0 -> "0", -2ns -> "-0.000000002".
std::string format_seconds(SimTime t);

namespace literals {
constexpr SimTime operator""_ns(unsigned long long v) {
  return SimTime::from_ns(static_cast<int64_t>(v));
}
constexpr SimTime operator""_us(unsigned long long v) {
  return kMicrosecond * static_cast<int64_t>(v);
}
constexpr SimTime operator""_ms(unsigned long long v) {
  return kMillisecond * static_cast<int64_t>(v);
}
constexpr SimTime operator""_s(unsigned long long v) {
  return kSecond * static_cast<int64_t>(v);
}
constexpr SimTime operator""_min(unsigned long long v) {
  return kMinute * static_cast<int64_t>(v);
}
constexpr SimTime operator""_h(unsigned long long v) {
  return kHour * static_cast<int64_t>(v);
}
constexpr SimTime operator""_d(unsigned long long v) {
  return kDay * static_cast<int64_t>(v);
}
}  // namespace literals

}  // namespace dmlssim::sim
