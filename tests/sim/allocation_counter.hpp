// Counts every global operator new in the tests_sim binary (allocation_counter.cpp replaces it),
// so that a test can prove that a hot loop allocates nothing.
#pragma once

#include <cstdint>

namespace dmlssim::testing {
uint64_t allocations_so_far();
uint64_t allocated_bytes_so_far();  // total requested, never decreases
}  // namespace dmlssim::testing
