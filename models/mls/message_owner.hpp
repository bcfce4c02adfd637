// Who keeps a message alive, as Group::handle is told (optional): a reference to the caller's
// shared pointer, valid for the call, from which the epoch cache takes its own pointer only when
// it keeps the message (the first reader of a message). Passing a shared pointer converted to
// shared_ptr<const void> instead built a temporary one at every read: two atomic operations on
// the message's shared count for nothing.
#pragma once

#include <memory>

namespace dmlssim::models::mls {

class MessageOwner {
 public:
  MessageOwner() = default;
  // (Implicit: a caller passes its shared pointer as it is.) An empty pointer is no owner.
  template <class T>
  MessageOwner(const std::shared_ptr<T>& holder)  // NOLINT(google-explicit-constructor)
      : holder_(holder ? &holder : nullptr), share_(&share_as<T>) {}
  explicit operator bool() const { return holder_ != nullptr; }
  // A pointer sharing the owner (null when there is none).
  std::shared_ptr<const void> share() const {
    return holder_ != nullptr ? share_(holder_) : nullptr;
  }

 private:
  template <class T>
  static std::shared_ptr<const void> share_as(const void* holder) {
    return *static_cast<const std::shared_ptr<T>*>(holder);
  }
  const void* holder_ = nullptr;
  std::shared_ptr<const void> (*share_)(const void*) = nullptr;
};

}  // namespace dmlssim::models::mls
