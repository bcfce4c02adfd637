// Frees the worlds of finished runs on a thread of its own, so that writing a run's directory,
// the next run and the report do not wait for it: freeing a 1,000-server world (millions of
// heap objects) takes seconds. A command ends with exit_when_done(), which leaves to the
// operating system what is still being freed then (the process's memory goes with it).
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

namespace dmlssim::apps {

class WorldDisposal {
 public:
  WorldDisposal();
  ~WorldDisposal();  // frees what is left and stops the thread
  WorldDisposal(const WorldDisposal&) = delete;
  WorldDisposal& operator=(const WorldDisposal&) = delete;

  // Queues a world to free (scenarios::ExperimentOptions::dispose_world); thread-safe.
  void take(std::shared_ptr<void> world);
  // Whether every world taken is freed.
  bool done();
  // The command's exit code: returned when every world is freed; else the output streams are
  // flushed and the process exits with it at once.
  int exit_when_done(int code);

 private:
  void free_in_turn();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<void>> queue_;
  bool freeing_ = false;
  bool stopping_ = false;
  std::thread thread_;  // last: started once the rest is built
};

}  // namespace dmlssim::apps
