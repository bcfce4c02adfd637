#include "scenarios/yaml_reader.hpp"

#include <algorithm>
#include <set>

namespace dmlssim::scenarios {

std::string join_key(const std::string& parent, const std::string& child) {
  if (parent.empty()) return child;
  if (!child.empty() && child.front() == '[') return parent + child;
  return parent + "." + child;
}

std::string YamlReader::location(const YAML::Node& node, const std::string& key) const {
  // A value set by --set (or anything beneath it) is reported against the option: its YAML
  // position is in the option's text, not in the file.
  std::string dotted = key;
  std::replace(dotted.begin(), dotted.end(), '[', '.');
  dotted.erase(std::remove(dotted.begin(), dotted.end(), ']'), dotted.end());
  for (auto it = overrides_.rbegin(); it != overrides_.rend(); ++it) {
    const std::string k = it->substr(0, it->find('='));
    if (dotted == k || dotted.rfind(k + ".", 0) == 0) return "--set " + *it;
  }
  if (node.IsDefined() && !node.Mark().is_null()) {
    const YAML::Mark m = node.Mark();
    return file_ + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
  }
  return file_;
}

void YamlReader::fail(const YAML::Node& node, const std::string& key,
                      const std::string& message) const {
  throw ScenarioError(location(node, key), key, message);
}

std::vector<YamlReader::Entry> YamlReader::entries(const YAML::Node& node,
                                                   const std::string& key) const {
  if (!node.IsMap()) fail(node, key, "expected a map of key: value");
  std::vector<Entry> out;
  std::set<std::string> seen;
  for (const auto& kv : node) {
    if (!kv.first.IsScalar()) fail(kv.first, key, "keys must be plain names");
    const std::string name = kv.first.Scalar();
    if (!seen.insert(name).second) fail(kv.first, join_key(key, name), "key given twice");
    if (name == "<<") {
      fail(kv.first, join_key(key, name),
           "YAML merge keys (<<: *anchor) are not supported: write the keys out (anchors and "
           "aliases of whole values work)");
    }
    out.push_back({name, kv.first, kv.second});
  }
  return out;
}

void YamlReader::expect_map(const YAML::Node& node, const std::string& key,
                            const std::vector<std::string>& allowed) const {
  for (const Entry& e : entries(node, key)) {
    if (std::find(allowed.begin(), allowed.end(), e.name) != allowed.end()) continue;
    std::string list;
    for (const auto& a : allowed)
      list += (list.empty() ? "" : ", ") + a;
    fail(e.key, join_key(key, e.name), "unknown key (allowed here: " + list + ")");
  }
}

std::string YamlReader::scalar(const YAML::Node& node, const std::string& key) const {
  if (!node.IsDefined() || node.IsNull()) fail(node, key, "a value is required");
  if (!node.IsScalar()) fail(node, key, "expected a single value, not a list or map");
  return node.Scalar();
}

std::string YamlReader::string(const YAML::Node& node, const std::string& key) const {
  return scalar(node, key);
}

uint64_t YamlReader::integer(const YAML::Node& node, const std::string& key, uint64_t min,
                             uint64_t max) const {
  const std::string text = scalar(node, key);
  if (node.Tag() == "!")
    fail(node, key, "expected an integer, got the quoted string \"" + text + "\"");
  bool digits = !text.empty() && text.size() <= 19 &&
                std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!digits) fail(node, key, "expected a whole number, got '" + text + "'");
  const uint64_t v = std::stoull(text);
  if (v < min || v > max) {
    fail(node, key,
         "value " + text + " outside [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return v;
}

bool YamlReader::boolean(const YAML::Node& node, const std::string& key) const {
  const std::string text = scalar(node, key);
  if (text == "true") return true;
  if (text == "false") return false;
  fail(node, key, "expected true or false, got '" + text + "'");
}

sim::SimTime YamlReader::duration(const YAML::Node& node, const std::string& key,
                                  sim::SimTime min) const {
  const sim::SimTime t =
      parsed<sim::SimTime>(node, key, [](const std::string& s) { return sim::parse_duration(s); });
  if (t < min) {
    fail(node, key,
         "duration " + scalar(node, key) + " is below the minimum " + sim::format_duration(min));
  }
  return t;
}

}  // namespace dmlssim::scenarios
