// Helpers shared by the benchmarks.
#pragma once

#include <sys/resource.h>

#include <cstdint>

namespace dmlssim::bench {

// Peak resident set size of this process in KiB (Linux reports ru_maxrss in KiB).
inline uint64_t peak_rss_kb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<uint64_t>(usage.ru_maxrss);
}

}  // namespace dmlssim::bench
