// The one error type for bad scenario input. Its message names the file, the line and column
// (1-based) and the key path, e.g.
//   scenarios/x.yaml:12:5: topology.bandwidth: invalid bandwidth '100Mbps' (...)
// For a value that came from --set, the location is the option itself.
#pragma once

#include <stdexcept>
#include <string>

namespace dmlssim::scenarios {

class ScenarioError : public std::runtime_error {
 public:
  ScenarioError(const std::string& location, const std::string& key, const std::string& message)
      : std::runtime_error(location + ": " + (key.empty() ? "" : key + ": ") + message),
        location_(location),
        key_(key),
        detail_(message) {}
  const std::string& location() const { return location_; }
  const std::string& key() const { return key_; }
  const std::string& detail() const { return detail_; }

 private:
  std::string location_;
  std::string key_;
  std::string detail_;
};

}  // namespace dmlssim::scenarios
