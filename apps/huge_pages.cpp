#include "apps/huge_pages.hpp"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace dmlssim::apps {

namespace {
constexpr const char* kTunable = "glibc.malloc.hugetlb";
}  // namespace

std::optional<std::string> huge_page_tunables(const char* dmlssim_hugepages,
                                              const char* glibc_tunables,
                                              const std::string& thp_mode) {
  if (dmlssim_hugepages != nullptr && std::string(dmlssim_hugepages) == "0") return std::nullopt;
  const std::string tunables = glibc_tunables != nullptr ? glibc_tunables : "";
  if (tunables.find(kTunable) != std::string::npos) return std::nullopt;
  // The kernel marks the mode in use with brackets: "always [madvise] never".
  if (thp_mode.find("[always]") == std::string::npos &&
      thp_mode.find("[madvise]") == std::string::npos)
    return std::nullopt;
  return (tunables.empty() ? "" : tunables + ":") + kTunable + "=1";
}

void restart_with_huge_pages(char** argv) {
  std::ifstream mode_file("/sys/kernel/mm/transparent_hugepage/enabled");
  std::stringstream mode;
  mode << mode_file.rdbuf();
  const std::optional<std::string> tunables = huge_page_tunables(
      std::getenv("DMLSSIM_HUGEPAGES"), std::getenv("GLIBC_TUNABLES"), mode.str());
  if (!tunables) return;
  if (setenv("GLIBC_TUNABLES", tunables->c_str(), 1) != 0) return;
  execv("/proc/self/exe", argv);
  // Not started again: go on without (the tunable now names the setting, so no loop either way).
}

}  // namespace dmlssim::apps
