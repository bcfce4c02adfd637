// Reading the shared test vectors from DMLSSIM_VECTORS_DIR.
#pragma once

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "models/mls/bytes.hpp"

namespace dmlssim::testing {

// The parsed file `relative` under the vectors directory; a missing file fails the test.
inline nlohmann::json vector_file(const std::string& relative) {
  const std::string path = std::string(DMLSSIM_VECTORS_DIR) + "/" + relative;
  std::ifstream in(path);
  INFO("vector file " << path << " (set -DDMLSSIM_VECTORS_DIR)");
  REQUIRE(in.good());
  return nlohmann::json::parse(in);
}

inline models::mls::Bytes hex(const nlohmann::json& value) {
  return models::mls::from_hex(value.get<std::string>());
}

}  // namespace dmlssim::testing
