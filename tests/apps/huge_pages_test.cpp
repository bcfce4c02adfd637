// The heavy commands start again once with glibc's huge-page tunable; results do not change.
#include "apps/huge_pages.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/apps/cli_runner.hpp"

namespace fs = std::filesystem;
using dmlssim::apps::huge_page_tunables;
using dmlssim::testing::run_cli;

namespace {

const std::string kMadvise = "always [madvise] never\n";

std::string thp_mode() {
  std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The environment of a `dmlssim run` a moment after it started (after any restart).
std::string environment_of_a_run(const fs::path& out) {
  const fs::path scenario = out.string() + ".yaml";
  {
    std::ofstream(scenario) << "name: long\nduration: 4h\n"
                               "topology: {servers: 300, regions: {eu: 150, us: 150}}\n"
                               "room: {users_per_server: 3}\n"
                               "workload: {messages: {room: 1/s}}\n";
  }
  const std::string cmd = "run " + scenario.string() + " --quiet --force --out " + out.string();
  const std::string env = run_cli(
                              "& pid=$!; sleep 1; tr \"\\0\" \"\\n\" < /proc/$pid/environ; "
                              "kill -INT $pid; wait $pid",
                              true, cmd)
                              .out;
  fs::remove(scenario);
  return env;
}

}  // namespace

TEST_CASE("huge-page tunables: added once, kept from the user, or left off", "[cli]") {
  CHECK(huge_page_tunables(nullptr, nullptr, kMadvise) == "glibc.malloc.hugetlb=1");
  CHECK(huge_page_tunables(nullptr, nullptr, "[always] madvise never") == "glibc.malloc.hugetlb=1");
  // Other tunables of the user are kept, in front.
  CHECK(huge_page_tunables(nullptr, "glibc.malloc.tcache_count=0", kMadvise) ==
        "glibc.malloc.tcache_count=0:glibc.malloc.hugetlb=1");
  CHECK(huge_page_tunables("1", "", kMadvise) == "glibc.malloc.hugetlb=1");
  // Named already (the first start set it, or the user chose a value): no restart.
  CHECK_FALSE(huge_page_tunables(nullptr, "glibc.malloc.hugetlb=1", kMadvise));
  CHECK_FALSE(huge_page_tunables(nullptr, "glibc.malloc.hugetlb=0", kMadvise));
  // Turned off, or the kernel has no THP to give.
  CHECK_FALSE(huge_page_tunables("0", nullptr, kMadvise));
  CHECK_FALSE(huge_page_tunables(nullptr, nullptr, "always madvise [never]"));
  CHECK_FALSE(huge_page_tunables(nullptr, nullptr, ""));
}

TEST_CASE("a run restarts with huge pages unless told not to", "[cli]") {
  const fs::path out = fs::temp_directory_path() / ("dmlssim-thp-" + std::to_string(::getpid()));
  const bool kernel_has_thp = huge_page_tunables(nullptr, nullptr, thp_mode()).has_value();
  ::unsetenv("GLIBC_TUNABLES");
  ::unsetenv("DMLSSIM_HUGEPAGES");
  std::string env = environment_of_a_run(out);
  CHECK((env.find("GLIBC_TUNABLES=glibc.malloc.hugetlb=1") != std::string::npos) == kernel_has_thp);
  ::setenv("DMLSSIM_HUGEPAGES", "0", 1);
  env = environment_of_a_run(out);
  CHECK(env.find("DMLSSIM_HUGEPAGES=0") != std::string::npos);  // (the run's environment)
  CHECK(env.find("GLIBC_TUNABLES") == std::string::npos);
  ::unsetenv("DMLSSIM_HUGEPAGES");
  fs::remove_all(out);
}

TEST_CASE("results are the same with and without huge pages", "[cli]") {
  ::unsetenv("GLIBC_TUNABLES");
  dmlssim::testing::check_same_run_with_and_without("DMLSSIM_HUGEPAGES");
}

TEST_CASE("run and compare say how to turn huge pages off", "[cli]") {
  for (const char* command : {"run --help", "compare --help"}) {
    INFO(command);
    CHECK(run_cli(command).out.find("DMLSSIM_HUGEPAGES=0") != std::string::npos);
  }
}
