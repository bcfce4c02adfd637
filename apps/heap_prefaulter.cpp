#include "apps/heap_prefaulter.hpp"

#include <malloc.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <string_view>

namespace dmlssim::apps {

namespace {
// How often the thread looks at the break: the simulation's heap grows by tens of MB a second at
// 1,000 servers, so the pad lasts about two seconds.
constexpr std::chrono::milliseconds kPoll{2};
constexpr std::uintptr_t kPage = 4096;

std::uintptr_t program_break() {
  // The kernel's answer, not glibc's cached copy (which the heap's thread writes).
  return static_cast<std::uintptr_t>(syscall(SYS_brk, 0));
}
std::uintptr_t page_floor(std::uintptr_t address) {
  return address & ~(kPage - 1);
}
}  // namespace

bool heap_prefault_wanted(const char* dmlssim_prefault, unsigned runs_at_a_time, unsigned cores) {
  if (dmlssim_prefault != nullptr && std::string_view(dmlssim_prefault) == "0") return false;
  return runs_at_a_time < cores;
}

std::unique_ptr<HeapPrefaulter> start_heap_prefaulter(std::uint64_t jobs, std::uint64_t runs) {
  const auto at_a_time = static_cast<unsigned>(std::min(jobs, runs));
  if (!heap_prefault_wanted(std::getenv("DMLSSIM_PREFAULT"), at_a_time,
                            std::thread::hardware_concurrency())) {
    return nullptr;
  }
  return std::make_unique<HeapPrefaulter>();
}

HeapPrefaulter::HeapPrefaulter() {
  // Setting any of these fixes glibc's otherwise self-adjusting mmap threshold, so all three are
  // set: blocks up to 32 MiB come from the heap (the adjusting threshold's own ceiling), and the
  // heap's top is given back only past twice the pad (so a free does not undo the pad).
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, static_cast<int>(2 * kAhead));
  mallopt(M_TOP_PAD, static_cast<int>(kAhead));
  // Pages below the break now are the heap's already (touched or not): left alone.
  const std::uintptr_t start = page_floor(program_break());
  thread_ = std::thread([this, start] { follow_break(start); });
}

HeapPrefaulter::~HeapPrefaulter() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

std::uint64_t HeapPrefaulter::populated_bytes() {
  std::lock_guard<std::mutex> lock(mutex_);
  return populated_;
}

bool HeapPrefaulter::refused() {
  std::lock_guard<std::mutex> lock(mutex_);
  return refused_;
}

void HeapPrefaulter::follow_break(std::uintptr_t done) {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!wake_.wait_for(lock, kPoll, [this] { return stopping_; })) {
    const std::uintptr_t end = program_break();
    if (end < done) done = page_floor(end);  // the heap was trimmed
    if (end <= done) continue;
    lock.unlock();
    // (done is page-aligned; the length is rounded up to whole pages, which the heap's last one is)
    const int rc = madvise(reinterpret_cast<void*>(done), end - done, MADV_POPULATE_WRITE);
    const int error = rc == 0 ? 0 : errno;
    lock.lock();
    if (error == EINVAL) {  // a kernel without it: nothing more to do
      refused_ = true;
      return;
    }
    // ENOMEM: the heap shrank under the call; the next look starts from the new break.
    if (error == 0) populated_ += end - done;
    done = page_floor(end);
  }
}

}  // namespace dmlssim::apps
