// Prefetch hints: start loading the cache lines of a range that is about to be used. A prefetch
// of any address is harmless (it never faults) and changes no result.
#pragma once

#include <cstddef>
#include <cstdint>

namespace dmlssim::sim {

inline constexpr std::size_t kCacheLine = 64;

inline void prefetch_bytes(const void* p, std::size_t bytes) {
  const auto first = reinterpret_cast<std::uintptr_t>(p) & ~std::uintptr_t{kCacheLine - 1};
  const auto end = reinterpret_cast<std::uintptr_t>(p) + bytes;
  for (std::uintptr_t line = first; line < end; line += kCacheLine)
    __builtin_prefetch(reinterpret_cast<const void*>(line));
}

}  // namespace dmlssim::sim
