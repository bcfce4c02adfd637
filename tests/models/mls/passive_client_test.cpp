// The passive-client vectors: a client joins by Welcome and follows the group through every
// commit; its epoch_authenticator must match after each epoch.
#include <catch2/catch.hpp>

#include "models/mls/vectors/vector_runner.hpp"
#include "tests/models/mls/vector_files.hpp"

namespace vectors = dmlssim::models::mls::vectors;

TEST_CASE("passive-client-welcome: every join variant", "[mls][vectors][passive]") {
  const nlohmann::json file = dmlssim::testing::vector_file("mls/passive-client-welcome.json");
  const vectors::VectorResult r = vectors::run_vectors(vectors::VectorKind::kPassiveClient, file);
  for (const std::string& f : r.failures)
    UNSCOPED_INFO(f);
  CHECK(r.failed == 0);
  CHECK(r.passed == file.size());
}

TEST_CASE("passive-client-handling-commit: every proposal and commit shape",
          "[mls][vectors][passive]") {
  const nlohmann::json file =
      dmlssim::testing::vector_file("mls/passive-client-handling-commit.json");
  const vectors::VectorResult r = vectors::run_vectors(vectors::VectorKind::kPassiveClient, file);
  for (const std::string& f : r.failures)
    UNSCOPED_INFO(f);
  CHECK(r.failed == 0);
  CHECK(r.passed == file.size());
}
