#include "consensus/strategy_params.hpp"

#include <charconv>
#include <cmath>
#include <sstream>

namespace dmlssim::consensus {
namespace {

std::string trim(std::string_view t) {
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t'))
    t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t'))
    t.remove_suffix(1);
  return std::string(t);
}

std::string shortest(double v) {
  // The shortest decimal that reads back to the same double.
  char buf[64];
  const auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, ptr) : std::to_string(v);
}

std::string list(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items)
    out += (out.empty() ? "" : ", ") + i;
  return out;
}

// The value of `text` for `spec`, and its canonical text. Throws StrategyError.
std::pair<ParamValue, std::string> parse_value(const std::string& strategy, const ParamSpec& spec,
                                               const std::string& raw) {
  const std::string text = trim(raw);
  const auto fail = [&](const std::string& why) {
    throw StrategyError(
        spec.name, strategy + ": " + spec.name + "=" + text + ": " + why + " (" + spec.help + ")");
  };
  switch (spec.type) {
    case ParamType::kBool:
      if (text == "true") return {true, "true"};
      if (text == "false") return {false, "false"};
      fail("expected true or false");
      break;
    case ParamType::kInteger: {
      std::int64_t v = 0;
      const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (text.empty() || ec != std::errc() || ptr != text.data() + text.size())
        fail("expected a whole number");
      if (static_cast<double>(v) < spec.min || static_cast<double>(v) > spec.max) {
        fail("outside [" + shortest(spec.min) + ", " + shortest(spec.max) + "]");
      }
      return {v, std::to_string(v)};
    }
    case ParamType::kNumber: {
      double v = 0;
      const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() ||
          !std::isfinite(v))
        fail("expected a number");
      if (v < spec.min || v > spec.max) {
        fail("outside [" + shortest(spec.min) + ", " + shortest(spec.max) + "]");
      }
      return {v, shortest(v)};
    }
    case ParamType::kDuration: {
      sim::SimTime t;
      try {
        t = sim::parse_duration(text);
      } catch (const std::invalid_argument& e) {
        fail(e.what());
      }
      if (t < sim::SimTime::from_seconds(spec.min)) {
        fail("below the minimum " + sim::format_duration(sim::SimTime::from_seconds(spec.min)));
      }
      return {t, sim::format_duration(t)};
    }
    case ParamType::kChoice:
      for (const auto& c : spec.choices) {
        if (c == text) return {text, text};
      }
      fail("expected one of " + list(spec.choices));
      break;
  }
  fail("unsupported parameter type");
  return {};
}

}  // namespace

const char* to_string(ParamType type) {
  static const char* const kNames[] = {"bool", "integer", "number", "duration", "choice"};
  return kNames[static_cast<int>(type)];
}

StrategyParams::StrategyParams(std::string strategy,
                               std::vector<std::pair<std::string, ParamValue>> values,
                               std::vector<std::string> texts)
    : strategy_(std::move(strategy)), values_(std::move(values)), texts_(std::move(texts)) {}

const ParamValue* StrategyParams::find(const std::string& name) const {
  for (const auto& [n, v] : values_) {
    if (n == name) return &v;
  }
  return nullptr;
}

const ParamValue& StrategyParams::at(const std::string& name) const {
  if (const ParamValue* v = find(name)) return *v;
  throw std::out_of_range(strategy_ + " has no parameter '" + name + "'");
}

std::string StrategyParams::canonical() const {
  if (values_.empty()) return strategy_;
  std::ostringstream out;
  out << strategy_ << '(';
  for (std::size_t i = 0; i < values_.size(); ++i)
    out << (i ? ", " : "") << values_[i].first << '=' << texts_[i];
  out << ')';
  return out.str();
}

StrategyParams check_params(const std::string& strategy, const std::vector<ParamSpec>& specs,
                            const std::vector<std::pair<std::string, std::string>>& args) {
  std::vector<std::string> names;
  for (const ParamSpec& s : specs)
    names.push_back(s.name);
  std::map<std::string, std::string> given;
  for (const auto& [key, value] : args) {
    bool known = false;
    for (const ParamSpec& s : specs)
      known = known || s.name == key;
    if (!known) {
      throw StrategyError(key, strategy + ": unknown parameter '" + key + "' (" +
                                   (names.empty() ? "it takes none" : "it takes " + list(names)) +
                                   ")");
    }
    if (!given.emplace(key, value).second) {
      throw StrategyError(key, strategy + ": parameter '" + key + "' given twice");
    }
  }
  std::vector<std::pair<std::string, ParamValue>> values;
  std::vector<std::string> texts;
  for (const ParamSpec& s : specs) {
    const auto it = given.find(s.name);
    if (it == given.end() && s.required) {
      throw StrategyError(s.name,
                          strategy + ": parameter '" + s.name + "' is required (" + s.help + ")");
    }
    auto [value, text] = parse_value(strategy, s, it != given.end() ? it->second : s.default_value);
    values.emplace_back(s.name, std::move(value));
    texts.push_back(std::move(text));
  }
  return StrategyParams(strategy, std::move(values), std::move(texts));
}

}  // namespace dmlssim::consensus
