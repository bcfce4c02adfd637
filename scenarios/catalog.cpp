#include "scenarios/catalog.hpp"

namespace dmlssim::scenarios {

ParamTable Catalog::params() const {
  std::vector<ParamInfo> all = scenario_params();
  for (const auto& part : parts.all()) {
    for (ParamInfo& p : part->params())
      all.push_back(std::move(p));
  }
  all.push_back({"strategy", "strategy", "none", "",
                 "The split-handling strategy: name or name(key=value, ...), every parameter "
                 "typed (dmlssim list strategies). The resolved scenario writes it with every "
                 "parameter when the file names one."});
  for (ParamInfo& p : metrics_params())
    all.push_back(std::move(p));
  return ParamTable(std::move(all));
}

Catalog builtin_catalog() {
  Catalog c;
  register_builtin_parts(c.parts);
  consensus::register_builtin(c.strategies);
  return c;
}

}  // namespace dmlssim::scenarios
