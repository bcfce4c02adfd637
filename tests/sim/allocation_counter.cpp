#include "tests/sim/allocation_counter.hpp"

#include <atomic>
#include <cstdlib>
#include <new>

namespace {
std::atomic<uint64_t> g_allocations{0};
std::atomic<uint64_t> g_bytes{0};
}  // namespace

void* operator new(std::size_t size) {
  ++g_allocations;
  g_bytes += size;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

namespace dmlssim::testing {
uint64_t allocations_so_far() {
  return g_allocations.load();
}
uint64_t allocated_bytes_so_far() {
  return g_bytes.load();
}
}  // namespace dmlssim::testing
