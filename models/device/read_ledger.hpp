// Every application message's fate, per device that should read it (docs/metrics.md "Reads").
//
// Expected readers of a message: the devices that existed when it was sent, of the users joined
// in the room state at the message's position in the DAG — the state before its event, which its
// prev_events fix when the event is built, so it is the same in the final converged DAG and known
// at send time. Devices created later are never expected readers of earlier messages (MLS gives a
// newcomer no keys of epochs before its join). The sender's own device is not a reader.
//
// Each (message, expected reader) pair holds exactly one outcome at any time: not delivered yet,
// delivered and waiting (buffered for an epoch not reached), unable to decrypt with a cause, or
// read with its delay. A later event may move a waiting or undecryptable pair to read (DMLS: the
// epoch arrives, a merge) — never a read pair back. A read by a device that is not an expected
// reader is an unauthorized read, recorded as its own row.
//
// Storage: 4 bytes per (message, device existing at send) — the outcome code — plus one bit per
// device per message for the expected set; nothing per (message, reader) beyond that.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <utility>
#include <vector>

#include "models/matrix/event.hpp"
#include "sim/time.hpp"

namespace dmlssim::models::device {

using DeviceIndex = std::uint32_t;

// Why a delivered message could not be decrypted.
enum class UnreadableCause : std::uint8_t {
  kEpochNeverReached,  // the device never derived the message's epoch (another fork, a commit it
                       // never got or rejected)
  kEpochDeleted,       // the device held the epoch once and deleted it (retention, past epochs)
  kKeyConsumed,        // the ratchet key was used already
  kKeyTooOld,          // outside the out-of-order window
  kKeyTooFarAhead,     // beyond maximum_forward_distance
  kNotAMember,         // never added to the group, or its Welcome never arrived
  kCommitRejected,     // the commit chain leading to the epoch was rejected by the device
  kOther,              // any other refusal
};
inline constexpr std::size_t kUnreadableCauses = 8;
const char* to_string(UnreadableCause cause);

enum class ReadOutcome : std::uint8_t {
  kNotDelivered,  // never reached the device by the end of the run
  kWaiting,       // delivered, held for an epoch the device may still reach
  kUnreadable,    // delivered, cannot be decrypted (with a cause)
  kRead,
};
const char* to_string(ReadOutcome outcome);

struct SentMessage {
  matrix::EventIndex event = matrix::kNoEvent;
  DeviceIndex sender = 0;
  sim::SimTime sent;
};

struct UnauthorizedRead {
  std::uint32_t message = 0;  // index into messages()
  DeviceIndex reader = 0;
  sim::SimTime at;
};

// How many reads took each delay (ms). Delays under kDenseMs (about 70 minutes) are counted in
// an array grown to the largest seen (4 bytes a millisecond: a count never reaches 2^32, as a
// ledger holds fewer pairs than that); longer ones in a map. Adding is a few nanoseconds where a
// map insertion per read pair was seconds at 1,000 servers.
class DelayHistogram {
 public:
  static constexpr std::uint32_t kDenseMs = 1u << 22;
  void add(std::uint32_t delay_ms);
  // How many reads took exactly `delay_ms`.
  std::uint64_t count(std::uint32_t delay_ms) const;
  // (delay, count) for every delay with a nonzero count, ascending.
  std::vector<std::pair<std::uint32_t, std::uint64_t>> entries() const;

 private:
  std::vector<std::uint32_t> dense_;  // by delay, below kDenseMs
  std::map<std::uint32_t, std::uint64_t> sparse_;
};

class ReadLedger {
 public:
  // A message was sent; `expected[d]` says whether device d (< expected.size(), the devices at
  // send) is an expected reader. Returns the message's index.
  std::uint32_t add_message(const SentMessage& message, const std::vector<bool>& expected);

  // The device got the message's event (sync): the pair leaves kNotDelivered for kWaiting.
  // (Pairs of devices that are not expected readers hold no outcome: delivered and unreadable
  // ignore them.)
  void delivered(std::uint32_t message, DeviceIndex reader);
  // The device decrypted the message at `at`.
  void read(std::uint32_t message, DeviceIndex reader, sim::SimTime at);
  // The device cannot decrypt it (a later read() still wins).
  void unreadable(std::uint32_t message, DeviceIndex reader, UnreadableCause cause);

  std::size_t message_count() const { return messages_.size(); }
  const SentMessage& message(std::uint32_t m) const { return messages_[m]; }
  bool expected(std::uint32_t m, DeviceIndex d) const;
  ReadOutcome outcome(std::uint32_t m, DeviceIndex d) const;
  // Valid when outcome() is kUnreadable.
  UnreadableCause cause(std::uint32_t m, DeviceIndex d) const;
  // Valid when outcome() is kRead: the delay from send, in milliseconds.
  std::uint32_t read_delay_ms(std::uint32_t m, DeviceIndex d) const;
  // Expected readers of message m, and how many have read it.
  std::uint32_t expected_count(std::uint32_t m) const { return expected_count_[m]; }
  std::uint32_t read_count(std::uint32_t m) const { return read_count_[m]; }
  // Called when the last expected reader of a message reads it (with the message and the time).
  std::function<void(std::uint32_t, sim::SimTime)> on_fully_read;
  // Devices that existed when message m was sent.
  std::size_t devices_at_send(std::uint32_t m) const { return codes_[m].size(); }
  const std::vector<UnauthorizedRead>& unauthorized() const { return unauthorized_; }

  // Counts over every (message, expected reader) pair, as things stand.
  struct Totals {
    std::uint64_t pairs = 0;
    std::array<std::uint64_t, 4> by_outcome{};  // by ReadOutcome
    std::array<std::uint64_t, kUnreadableCauses> by_cause{};
    // The read pairs by delay from send (ms): a histogram, not a value per pair (a large room
    // has tens of millions of read pairs).
    DelayHistogram delays_ms;
    std::uint64_t reads() const { return by_outcome[static_cast<int>(ReadOutcome::kRead)]; }
    // The q-quantile of the read delays (the smallest delay with at least ceil(q * reads) reads
    // at or below it), in ms; requires reads() > 0.
    std::uint32_t delay_quantile_ms(double q) const;
  };
  Totals totals() const;

 private:
  // Codes: 0 not delivered, 1 waiting, 2 + cause unreadable, kReadBase + delay_ms read.
  static constexpr std::uint32_t kWaitingCode = 1;
  static constexpr std::uint32_t kUnreadableBase = 2;
  static constexpr std::uint32_t kReadBase = kUnreadableBase + kUnreadableCauses;
  std::vector<SentMessage> messages_;
  std::vector<std::vector<std::uint32_t>> codes_;   // by message, by device at send
  std::vector<std::vector<std::uint64_t>> expect_;  // by message: bit per device
  std::vector<UnauthorizedRead> unauthorized_;
  std::vector<std::uint32_t> expected_count_, read_count_;  // by message
};

}  // namespace dmlssim::models::device
