#include "sim/simulation.hpp"

namespace dmlssim::sim {
namespace {
struct RunningFlag {
  bool& flag;
  explicit RunningFlag(bool& f) : flag(f) {
    if (flag) throw std::logic_error("Simulation: run called from inside an event");
    flag = true;
  }
  ~RunningFlag() { flag = false; }
};
}  // namespace

bool Simulation::run_until(SimTime end) {
  RunningFlag guard(running_);
  stop_requested_ = false;
  while (!queue_.empty()) {
    SimTime t = queue_.next_time();
    if (t > end) break;
    now_ = t;
    queue_.run_next();
    ++events_processed_;
    if (stop_requested_) return false;
  }
  if (end > now_) now_ = end;
  return true;
}

void Simulation::run() {
  RunningFlag guard(running_);
  stop_requested_ = false;
  while (!queue_.empty()) {
    now_ = queue_.next_time();
    queue_.run_next();
    ++events_processed_;
    if (stop_requested_) return;
  }
}

}  // namespace dmlssim::sim
