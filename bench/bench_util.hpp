// Helpers shared by the benchmarks.
#pragma once

#include <sys/resource.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>

#include <cstdint>

namespace dmlssim::bench {

// Parses the command line into `vm`. Returns false after printing help (--help) or a usage error,
// with the exit code in `exit_code`.
inline bool parse_bench_options(int argc, char** argv,
                                const boost::program_options::options_description& opts,
                                boost::program_options::variables_map& vm, int& exit_code) {
  namespace po = boost::program_options;
  try {
    po::store(po::parse_command_line(argc, argv, opts), vm);
    if (vm.count("help")) {
      std::cout << opts;
      exit_code = 0;
      return false;
    }
    po::notify(vm);
    return true;
  } catch (const po::error& e) {
    std::cerr << e.what() << "\n" << opts;
    exit_code = 2;
    return false;
  }
}

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
