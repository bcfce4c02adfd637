// Faults in the main heap's new pages on a thread of its own, ahead of the simulation that will
// write them. A page's first write costs the writer a kernel fault that clears it (and, in a
// virtual machine, the host's backing of it): on the 2-core test machine about 1.2 s a GiB, some
// 8 % of a 1,000-server run, all of it on the simulation's thread. Here the main arena's top pad
// is raised so that the program break runs ahead of what malloc has handed out, and the thread
// asks the kernel to populate each new stretch (madvise MADV_POPULATE_WRITE, Linux 5.14: it
// faults pages in writable without changing what they hold, so it never races with the heap's
// owner). Results do not depend on it: it changes when pages are faulted, not what is computed.
//
// Only the main thread's heap (the program break) is covered: runs on other threads (--jobs > 1)
// allocate from arenas of their own. Where the kernel lacks MADV_POPULATE_WRITE the thread stops
// at its first refusal and the run goes on as without it. `run` and `compare` start one when a
// core is spare, unless DMLSSIM_PREFAULT=0.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

namespace dmlssim::apps {

// Whether to start one: when a core is spare (fewer runs at a time than `cores`, the machine's
// count; 0: unknown, none spare) and the environment's DMLSSIM_PREFAULT (null: unset) is not
// "0". Without a spare core the thread would only take the page faults' time from another run.
bool heap_prefault_wanted(const char* dmlssim_prefault, unsigned runs_at_a_time, unsigned cores);

class HeapPrefaulter;
// What `run` and `compare` start: a prefaulter when heap_prefault_wanted() says so for this
// environment, min(jobs, runs) runs at a time and this machine's hardware threads; else null.
std::unique_ptr<HeapPrefaulter> start_heap_prefaulter(std::uint64_t jobs, std::uint64_t runs);

class HeapPrefaulter {
 public:
  // Bytes the program break is kept ahead of the heap's use (malloc's M_TOP_PAD).
  static constexpr std::size_t kAhead = std::size_t{64} << 20;

  // Sets malloc's pad, trim and mmap thresholds (see heap_prefaulter.cpp) and starts the thread.
  HeapPrefaulter();
  ~HeapPrefaulter();  // stops the thread
  HeapPrefaulter(const HeapPrefaulter&) = delete;
  HeapPrefaulter& operator=(const HeapPrefaulter&) = delete;

  // Bytes populated so far, and whether the kernel refused (then nothing more is done).
  std::uint64_t populated_bytes();
  bool refused();

 private:
  // Populates from `done` (page-aligned) up to the break, again as the break moves.
  void follow_break(std::uintptr_t done);

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool refused_ = false;
  std::uint64_t populated_ = 0;
  std::thread thread_;  // last: started once the rest is built
};

}  // namespace dmlssim::apps
