// Progress of an experiment on stderr: simulated time, events/s and ETA. On a terminal one live
// line, redrawn; otherwise a line after 2 s and then every 10 s. Silent for runs that end within
// about 2 s.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "scenarios/experiment.hpp"

namespace dmlssim::apps {

// One progress line: "[1/4 runs written, 2 running]  37.5% simulated (2d6h of 6d), 1.2e+06
// events/s, ETA 12s". `done` is the fraction of the experiment's simulated time done, in [0, 1];
// when every run has been simulated but some are still being written, the ETA says so instead
// of claiming 0 s.
std::string progress_line(std::size_t runs, std::size_t written, std::size_t running, double done,
                          int64_t duration_ns, uint64_t events, double elapsed_s);

class ProgressDisplay {
 public:
  ProgressDisplay(const scenarios::ExperimentProgress& progress, int64_t duration_ns, bool enabled);
  ~ProgressDisplay();  // stops the display and clears the live line

 private:
  void loop();
  void draw(double elapsed_s);

  const scenarios::ExperimentProgress& progress_;
  int64_t duration_ns_;
  bool tty_;
  bool drew_ = false;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace dmlssim::apps
