// Strict reading of a YAML scenario tree: every accessor knows the key path it reads and reports
// a ScenarioError naming file, line, column and key. Values that came from --set (they have no
// position in the file) are reported against the option that set them.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "scenarios/params.hpp"
#include "scenarios/scenario_error.hpp"
#include "sim/time.hpp"

namespace dmlssim::scenarios {

class YamlReader {
 public:
  // `overrides` are the --set options as given ("key.path=value"), to name them in errors.
  YamlReader(std::string file, std::vector<std::string> overrides)
      : file_(std::move(file)), overrides_(std::move(overrides)) {}

  const std::string& file() const { return file_; }
  // The parameter table the scenario is read against (defaults, allowed keys).
  void set_params(const ParamTable* params) { params_ = params; }
  const ParamTable& params() const { return *params_; }
  // Was `key` (or a section above it) set by a --set option?
  bool overridden(const std::string& key) const {
    return location({}, key).rfind("--set ", 0) == 0;
  }
  std::string location(const YAML::Node& node, const std::string& key) const;
  [[noreturn]] void fail(const YAML::Node& node, const std::string& key,
                         const std::string& message) const;

  // Requires a map whose keys are all in `allowed` and none repeated.
  void expect_map(const YAML::Node& node, const std::string& key,
                  const std::vector<std::string>& allowed) const;
  struct Entry {
    std::string name;
    YAML::Node key;  // the key's own node, for messages about the key
    YAML::Node value;
  };
  // Requires a map; returns its entries in file order, rejecting repeated or non-scalar keys.
  std::vector<Entry> entries(const YAML::Node& node, const std::string& key) const;
  std::string scalar(const YAML::Node& node, const std::string& key) const;
  std::string string(const YAML::Node& node, const std::string& key) const;
  uint64_t integer(const YAML::Node& node, const std::string& key, uint64_t min,
                   uint64_t max) const;
  bool boolean(const YAML::Node& node, const std::string& key) const;
  sim::SimTime duration(const YAML::Node& node, const std::string& key, sim::SimTime min) const;
  // Runs `parse` on the scalar text; its std::invalid_argument becomes a ScenarioError.
  template <class T>
  T parsed(const YAML::Node& node, const std::string& key,
           const std::function<T(const std::string&)>& parse) const {
    const std::string text = scalar(node, key);
    try {
      return parse(text);
    } catch (const std::invalid_argument& e) {
      fail(node, key, e.what());
    } catch (const std::out_of_range& e) {
      fail(node, key, e.what());
    }
  }

 private:
  std::string file_;
  std::vector<std::string> overrides_;
  const ParamTable* params_ = nullptr;
};

// Joins a key path: join_key("topology", "latency") == "topology.latency"; join_key("", "x") ==
// "x".
std::string join_key(const std::string& parent, const std::string& child);

}  // namespace dmlssim::scenarios
