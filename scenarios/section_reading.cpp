#include "scenarios/section_reading.hpp"

namespace dmlssim::scenarios {

std::vector<std::string> allowed_keys(const YamlReader& reader, const std::string& section) {
  return reader.params().allowed_keys(section);
}

YAML::Node value_or_default(const YamlReader& reader, const YAML::Node& parent,
                            const std::string& key) {
  const std::string leaf = key.substr(key.rfind('.') == std::string::npos ? 0 : key.rfind('.') + 1);
  const ParamInfo* info = reader.params().find(key);
  if (parent && parent.IsMap() && parent[leaf]) return parent[leaf];
  if (info == nullptr || info->default_value == "required") {
    reader.fail(parent, key, "required key is missing");
  }
  return YAML::Node(info->default_value);
}

}  // namespace dmlssim::scenarios
