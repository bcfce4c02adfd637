// Transparent huge pages for the heap. A large run keeps gigabytes of small objects (a group copy
// per device and epoch) and reads them at random, so with 4 KiB pages most of those reads also
// miss the TLB. glibc's malloc backs its heaps with transparent huge pages when the tunable
// glibc.malloc.hugetlb=1 is set, and reads tunables only when the process starts: the heavy
// commands start the process again once with it set. DMLSSIM_HUGEPAGES=0 turns this off.
// Results do not depend on it (bench/README.md has the measurements).
#pragma once

#include <optional>
#include <string>

namespace dmlssim::apps {

// The GLIBC_TUNABLES value to start again with, or nullopt to go on as is: when turned off
// (`dmlssim_hugepages` is "0"), when the tunables name glibc.malloc.hugetlb already (set by the
// user, or by the first start), or when the kernel's THP mode (the contents of
// /sys/kernel/mm/transparent_hugepage/enabled; empty when unreadable) is not `always` or `madvise`.
std::optional<std::string> huge_page_tunables(const char* dmlssim_hugepages,
                                              const char* glibc_tunables,
                                              const std::string& thp_mode);

// Starts the process again (same arguments, same process id) with glibc's huge-page tunable when
// huge_page_tunables() says so; returns when it does not, or when starting again fails.
void restart_with_huge_pages(char** argv);

}  // namespace dmlssim::apps
