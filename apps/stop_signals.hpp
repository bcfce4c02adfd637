// SIGINT and SIGTERM while a command runs experiments: the handler only sets a flag, which the
// runs check at their next slice; what is complete is kept.
#pragma once

#include <atomic>

namespace dmlssim::apps {

// The flag the handlers set (a plain flag is all a handler may touch).
std::atomic<bool>& stop_requested();

// Installs the handlers (and clears the flag) while it lives; restores the old ones.
class StopOnSignals {
 public:
  StopOnSignals();
  ~StopOnSignals();
  StopOnSignals(const StopOnSignals&) = delete;
  StopOnSignals& operator=(const StopOnSignals&) = delete;

 private:
  void (*previous_int_)(int);
  void (*previous_term_)(int);
};

}  // namespace dmlssim::apps
