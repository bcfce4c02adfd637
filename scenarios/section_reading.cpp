#include "scenarios/section_reading.hpp"

#include <algorithm>

#include "scenarios/params.hpp"

namespace dmlssim::scenarios {

std::vector<std::string> allowed_keys(const std::string& section) {
  std::vector<std::string> keys;
  const std::string prefix = section.empty() ? "" : section + ".";
  for (const auto& p : all_params()) {
    if (p.key.find('[') != std::string::npos || p.key.rfind(prefix, 0) != 0) continue;
    std::string rest = p.key.substr(prefix.size());
    rest = rest.substr(0, rest.find('.'));
    if (std::find(keys.begin(), keys.end(), rest) == keys.end()) keys.push_back(rest);
  }
  if (section.empty()) {
    for (const auto& r : reserved_sections())
      keys.push_back(r);
  }
  return keys;
}

YAML::Node value_or_default(const YamlReader& reader, const YAML::Node& parent,
                            const std::string& key) {
  const std::string leaf = key.substr(key.rfind('.') == std::string::npos ? 0 : key.rfind('.') + 1);
  const ParamInfo* info = find_param(key);
  if (parent && parent.IsMap() && parent[leaf]) return parent[leaf];
  if (info == nullptr || info->default_value == "required") {
    reader.fail(parent, key, "required key is missing");
  }
  return YAML::Node(info->default_value);
}

}  // namespace dmlssim::scenarios
