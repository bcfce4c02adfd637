#include "apps/progress.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>

namespace dmlssim::apps {

ProgressDisplay::ProgressDisplay(const scenarios::ExperimentProgress& progress, int64_t duration_ns,
                                 bool enabled)
    : progress_(progress), duration_ns_(duration_ns), tty_(isatty(STDERR_FILENO) != 0) {
  if (enabled) thread_ = std::thread([this] { loop(); });
}

ProgressDisplay::~ProgressDisplay() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (drew_ && tty_) std::fprintf(stderr, "\r\033[K");
}

void ProgressDisplay::loop() {
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  auto last_line = start;
  std::unique_lock<std::mutex> lock(mutex_);
  while (!wake_.wait_for(lock, std::chrono::milliseconds(250), [this] { return stop_; })) {
    const auto now = clock::now();
    const double elapsed = std::chrono::duration<double>(now - start).count();
    if (elapsed < 2.0) continue;
    if (!tty_ && now - last_line < std::chrono::seconds(10)) continue;
    last_line = now;
    draw(elapsed);
  }
}

void ProgressDisplay::draw(double elapsed_s) {
  const std::size_t runs = progress_.per_run.size();
  double sim_fraction = 0;
  uint64_t events = 0;
  for (const auto& r : progress_.per_run) {
    sim_fraction += static_cast<double>(r.sim_ns.load(std::memory_order_relaxed)) /
                    static_cast<double>(duration_ns_);
    events += r.events.load(std::memory_order_relaxed);
  }
  const double done = sim_fraction / static_cast<double>(runs);
  const double eta = done > 0 ? elapsed_s * (1 - done) / done : 0;
  std::fprintf(stderr, "%s[%zu/%zu runs] %5.1f%% simulated, %.3g events/s, ETA %.0fs%s",
               tty_ ? "\r\033[K" : "", progress_.finished.load(), runs, 100 * done,
               static_cast<double>(events) / elapsed_s, eta, tty_ ? "" : "\n");
  std::fflush(stderr);
  drew_ = true;
}

}  // namespace dmlssim::apps
