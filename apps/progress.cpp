#include "apps/progress.hpp"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>

#include "sim/time.hpp"

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
    if (!tty_ && drew_ && now - last_line < std::chrono::seconds(10)) continue;
    last_line = now;
    draw(elapsed);
  }
}

std::string progress_line(std::size_t runs, std::size_t written, std::size_t running, double done,
                          int64_t duration_ns, uint64_t events, double elapsed_s) {
  char eta[32] = "ETA unknown";
  if (written < runs && done >= 1) {
    std::snprintf(eta, sizeof(eta), "writing results");
  } else if (done > 0) {
    std::snprintf(eta, sizeof(eta), "ETA %.0fs", elapsed_s * (1 - done) / done);
  }
  const std::string simulated = sim::format_duration(
      sim::SimTime::from_seconds(std::floor(done * static_cast<double>(duration_ns) * 1e-9)));
  char line[256];
  std::snprintf(line, sizeof(line),
                "[%zu/%zu runs written, %zu running] %5.1f%% simulated (%s of %s), %.3g events/s, "
                "%s",
                written, runs, running, 100 * done, simulated.c_str(),
                sim::format_duration(sim::SimTime::from_ns(duration_ns)).c_str(),
                elapsed_s > 0 ? static_cast<double>(events) / elapsed_s : 0.0, eta);
  return line;
}

void ProgressDisplay::draw(double elapsed_s) {
  const std::size_t runs = progress_.per_run.size();
  // A run counts as done when its directory is written, not when its simulation ends.
  double sim_fraction = 0;
  uint64_t events = 0;
  std::size_t written = 0, running = 0;
  for (const auto& r : progress_.per_run) {
    const int64_t sim_ns = r.sim_ns.load(std::memory_order_relaxed);
    events += r.events.load(std::memory_order_relaxed);
    if (r.written.load()) {
      ++written;
      sim_fraction += 1;
    } else {
      if (sim_ns > 0) ++running;
      sim_fraction += static_cast<double>(sim_ns) / static_cast<double>(duration_ns_);
    }
  }
  const std::string line =
      progress_line(runs, written, running, sim_fraction / static_cast<double>(runs), duration_ns_,
                    events, elapsed_s);
  std::fprintf(stderr, "%s%s%s", tty_ ? "\r\033[K" : "", line.c_str(), tty_ ? "" : "\n");
  std::fflush(stderr);
  drew_ = true;
}

}  // namespace dmlssim::apps
