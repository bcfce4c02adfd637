#include "apps/stop_signals.hpp"

#include <csignal>

namespace dmlssim::apps {
namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_stop_signal(int) {
  g_stop = true;
}

}  // namespace

std::atomic<bool>& stop_requested() {
  return g_stop;
}

StopOnSignals::StopOnSignals() {
  g_stop = false;
  previous_int_ = std::signal(SIGINT, on_stop_signal);
  previous_term_ = std::signal(SIGTERM, on_stop_signal);
}

StopOnSignals::~StopOnSignals() {
  std::signal(SIGINT, previous_int_);
  std::signal(SIGTERM, previous_term_);
}

}  // namespace dmlssim::apps
