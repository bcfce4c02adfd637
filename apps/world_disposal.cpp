#include "apps/world_disposal.hpp"

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <utility>

namespace dmlssim::apps {

WorldDisposal::WorldDisposal() : thread_([this] { free_in_turn(); }) {}

WorldDisposal::~WorldDisposal() {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void WorldDisposal::take(std::shared_ptr<void> world) {
  if (!world) return;
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(std::move(world));
  }
  wake_.notify_one();
}

bool WorldDisposal::done() {
  const std::lock_guard<std::mutex> lock(mutex_);
  return queue_.empty() && !freeing_;
}

int WorldDisposal::exit_when_done(int code) {
  if (done()) return code;
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  std::_Exit(code);
}

void WorldDisposal::free_in_turn() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and nothing left
    std::shared_ptr<void> world = std::move(queue_.front());
    queue_.pop_front();
    freeing_ = true;
    lock.unlock();
    world.reset();  // the last holder: the world is freed here
    lock.lock();
    freeing_ = false;
  }
}

}  // namespace dmlssim::apps
