#include "sim/draws_ahead.hpp"

namespace dmlssim::sim {

DrawsAhead::DrawsAhead(Distribution distribution, RandomStream stream)
    : distribution_(distribution), stream_(stream) {}

DrawsAhead::~DrawsAhead() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  emptied_.notify_all();
  thread_.join();
}

void DrawsAhead::refill() {
  if (!thread_.joinable()) {
    if (drawn_inline_ < kInlineDraws) {
      inline_.resize(kBlock);
      for (double& v : inline_)
        v = distribution_.sample(stream_);
      drawn_inline_ += kBlock;
      block_ = inline_.data();
      taken_ = 0;
      return;
    }
    ring_.assign(kRing, std::vector<double>(kBlock));
    reading_ = 0;  // block 0 stands for the inline block just used up
    written_ = 1;
    thread_ = std::thread([this] { draw_blocks(); });  // the stream is the thread's from here
  }
  std::unique_lock<std::mutex> lock(mutex_);
  ++reading_;  // the block read so far goes back to the thread
  emptied_.notify_one();
  filled_.wait(lock, [this] { return written_ > reading_; });
  block_ = ring_[reading_ % kRing].data();
  taken_ = 0;
}

void DrawsAhead::draw_blocks() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    emptied_.wait(lock, [this] { return stopping_ || written_ < reading_ + kRing; });
    if (stopping_) return;
    std::vector<double>& block = ring_[written_ % kRing];
    lock.unlock();
    for (double& v : block)
      v = distribution_.sample(stream_);
    lock.lock();
    ++written_;
    filled_.notify_one();
  }
}

}  // namespace dmlssim::sim
