// Progress of an experiment on stderr: simulated time, events/s and ETA. On a terminal one live
// line, redrawn; otherwise a line every 10 s. Silent for runs that end within about 2 s.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "scenarios/experiment.hpp"

namespace dmlssim::apps {

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
