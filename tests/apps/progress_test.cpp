#include <catch2/catch.hpp>

#include "apps/progress.hpp"
#include "sim/time.hpp"

using dmlssim::apps::progress_line;
using namespace dmlssim::sim::literals;

TEST_CASE("progress lines show runs, simulated time, rate and ETA", "[cli][progress]") {
  CHECK(progress_line(4, 1, 1, 0.375, (6_d).ns(), 3'000'000, 2.5) ==
        "[1/4 runs written, 1 running]  37.5% simulated (2d6h of 6d), 1.2e+06 events/s, ETA 4s");
  CHECK(progress_line(1, 0, 0, 0.0, (1_h).ns(), 0, 2.0) ==
        "[0/1 runs written, 0 running]   0.0% simulated (0s of 1h), 0 events/s, ETA unknown");
  CHECK(progress_line(2, 2, 0, 1.0, (30_min).ns(), 10, 0.0).find("100.0% simulated (30m of 30m)") !=
        std::string::npos);
  // Every run simulated, three still being written: not "ETA 0s".
  const std::string writing = progress_line(10, 7, 3, 1.0, (1_h).ns(), 10, 20.0);
  CHECK(writing.find("[7/10 runs written, 3 running]") != std::string::npos);
  CHECK(writing.find("writing results") != std::string::npos);
  CHECK(writing.find("ETA 0s") == std::string::npos);
}
