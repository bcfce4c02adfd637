// Helpers shared by the benchmarks.
#pragma once

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>

#include <cstdint>

namespace dmlssim::bench {

// Peak resident set size of this process in KiB (Linux reports ru_maxrss in KiB).
inline uint64_t peak_rss_kb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<uint64_t>(usage.ru_maxrss);
}

// Current resident set size of this process in KiB, from /proc/self/statm.
inline uint64_t current_rss_kb() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long long size = 0, resident = 0;
  const int read = std::fscanf(f, "%llu %llu", &size, &resident);
  std::fclose(f);
  return read == 2 ? resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE)) / 1024 : 0;
}

}  // namespace dmlssim::bench
