// What the scenario layer can build: the world parts and the strategies, each registered
// explicitly by its owner (no static registration, no globals). builtin_catalog() is what ships;
// tests and embedders may fill their own.
#pragma once

#include "consensus/strategy_registry.hpp"
#include "scenarios/params.hpp"
#include "scenarios/world_part.hpp"

namespace dmlssim::scenarios {

struct Catalog {
  WorldParts parts;
  consensus::Registry strategies;
  // Every parameter of a scenario, in the order a resolved scenario writes them: the scenario's
  // own keys, each part's sections, the strategy, the metrics.
  ParamTable params() const;
};

Catalog builtin_catalog();

}  // namespace dmlssim::scenarios
