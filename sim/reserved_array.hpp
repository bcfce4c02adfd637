// A growable array of trivially copyable T that never moves: it reserves address space for
// `max_size` elements up front (PROT_NONE, costs no memory) and commits pages as it grows, so
// growth copies nothing and peak memory is what is in use, not twice that. Page-aligned.
#pragma once

#include <sys/mman.h>

#include <algorithm>
#include <cstddef>
#include <new>
#include <stdexcept>
#include <type_traits>

namespace dmlssim::sim {

template <class T>
class ReservedArray {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  explicit ReservedArray(std::size_t max_size) : capacity_limit_(max_size) {
    void* p = mmap(nullptr, bytes_for(max_size), PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    data_ = static_cast<T*>(p);
  }
  ReservedArray(const ReservedArray&) = delete;
  ReservedArray& operator=(const ReservedArray&) = delete;
  ~ReservedArray() { munmap(data_, bytes_for(capacity_limit_)); }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T& operator[](std::size_t i) { return data_[i]; }
  const T& operator[](std::size_t i) const { return data_[i]; }
  T* begin() { return data_; }
  T* end() { return data_ + size_; }
  T& back() { return data_[size_ - 1]; }

  void push_back(const T& v) {
    if (size_ == committed_) grow();
    ::new (static_cast<void*>(data_ + size_)) T(v);
    ++size_;
  }
  void pop_back() { --size_; }
  void resize_down(std::size_t n) { size_ = n; }

 private:
  static constexpr std::size_t kCommitBytes = std::size_t{1} << 20;
  static std::size_t bytes_for(std::size_t n) {
    return (n * sizeof(T) + kCommitBytes - 1) / kCommitBytes * kCommitBytes;
  }
  void grow() {
    if (committed_ == capacity_limit_) throw std::length_error("ReservedArray: capacity exhausted");
    const std::size_t old_bytes = bytes_for(committed_);
    const std::size_t new_bytes = old_bytes + kCommitBytes;
    if (mprotect(reinterpret_cast<char*>(data_) + old_bytes, kCommitBytes,
                 PROT_READ | PROT_WRITE) != 0) {
      throw std::bad_alloc();
    }
    committed_ = std::min(capacity_limit_, new_bytes / sizeof(T));
  }

  T* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t committed_ = 0;
  std::size_t capacity_limit_;
};

}  // namespace dmlssim::sim
