// The heap prefaulter faults in the main heap's growth on its own thread, never changes what the
// heap holds, and changes no result.
#include "apps/heap_prefaulter.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/apps/cli_runner.hpp"

using dmlssim::apps::heap_prefault_wanted;
using dmlssim::apps::HeapPrefaulter;
using dmlssim::testing::run_cli;

namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kMallocUsesBreak = false;  // the sanitizer's allocator maps memory of its own
#else
constexpr bool kMallocUsesBreak = true;
#endif

// Resident bytes of this process (/proc/self/statm's second field, in pages).
std::uint64_t resident_bytes() {
  std::ifstream in("/proc/self/statm");
  std::uint64_t size = 0, resident = 0;
  in >> size >> resident;
  return resident * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

// The program break, from the kernel.
std::uintptr_t program_break() {
  return static_cast<std::uintptr_t>(syscall(SYS_brk, 0));
}

}  // namespace

TEST_CASE("the prefaulter is on when a core is spare, unless DMLSSIM_PREFAULT=0", "[cli]") {
  CHECK(heap_prefault_wanted(nullptr, 1, 2));
  CHECK(heap_prefault_wanted("1", 1, 2));
  CHECK(heap_prefault_wanted("", 3, 8));
  CHECK_FALSE(heap_prefault_wanted("0", 1, 2));
  CHECK_FALSE(heap_prefault_wanted(nullptr, 2, 2));  // every core runs a simulation
  CHECK_FALSE(heap_prefault_wanted(nullptr, 1, 0));  // cores unknown
}

TEST_CASE("the prefaulter faults in the heap's growth and leaves what it holds alone", "[cli]") {
  constexpr std::size_t kBlock = std::size_t{1} << 20;  // below the mmap threshold: from the heap
  constexpr std::uintptr_t kGrowth = std::uintptr_t{256} << 20;
  HeapPrefaulter prefaulter;
  // Blocks taken and not written until the break has grown by kGrowth (what earlier tests freed
  // is used first): malloc writes only their headers, so the pages past the old break become
  // resident only when the prefaulter faults them in.
  const std::uint64_t before = resident_bytes();
  const std::uintptr_t start = program_break();
  std::vector<std::uint32_t*> blocks;
  while (program_break() < start + kGrowth && blocks.size() < 4 * kGrowth / kBlock)
    blocks.push_back(static_cast<std::uint32_t*>(std::malloc(kBlock)));
  const std::uint64_t grown = program_break() - start;
  const auto populated = [&] {
    return resident_bytes() >= before + grown / 2 && prefaulter.populated_bytes() >= grown / 2;
  };
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (kMallocUsesBreak && !prefaulter.refused() && !populated() &&
         std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (kMallocUsesBreak && !prefaulter.refused()) {
    REQUIRE(grown >= kGrowth);
    CHECK(resident_bytes() >= before + grown / 2);
    CHECK(prefaulter.populated_bytes() >= grown / 2);
  }
  // Written (the thread may still be at work on the pad above them), then read back.
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    for (std::size_t i = 0; i < kBlock / sizeof(std::uint32_t); i += 97)
      blocks[b][i] = static_cast<std::uint32_t>(b * 1000003u + i);
  }
  std::size_t wrong = 0;
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    for (std::size_t i = 0; i < kBlock / sizeof(std::uint32_t); i += 97)
      wrong += blocks[b][i] != static_cast<std::uint32_t>(b * 1000003u + i) ? 1 : 0;
    std::free(blocks[b]);
  }
  CHECK(wrong == 0);
}

TEST_CASE("results are the same with and without the prefaulter", "[cli]") {
  dmlssim::testing::check_same_run_with_and_without("DMLSSIM_PREFAULT");
}

TEST_CASE("run and compare say how to turn the prefaulter off", "[cli]") {
  for (const char* command : {"run --help", "compare --help"}) {
    INFO(command);
    CHECK(run_cli(command).out.find("DMLSSIM_PREFAULT=0") != std::string::npos);
  }
}
