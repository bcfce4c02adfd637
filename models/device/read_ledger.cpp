#include "models/device/read_ledger.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace dmlssim::models::device {

const char* to_string(UnreadableCause cause) {
  switch (cause) {
    case UnreadableCause::kEpochNeverReached:
      return "epoch_never_reached";
    case UnreadableCause::kEpochDeleted:
      return "epoch_deleted";
    case UnreadableCause::kKeyConsumed:
      return "key_consumed";
    case UnreadableCause::kKeyTooOld:
      return "key_too_old";
    case UnreadableCause::kKeyTooFarAhead:
      return "key_too_far_ahead";
    case UnreadableCause::kNotAMember:
      return "not_a_member";
    case UnreadableCause::kCommitRejected:
      return "commit_chain_rejected";
    case UnreadableCause::kOther:
      return "other";
  }
  return "?";
}

const char* to_string(ReadOutcome outcome) {
  switch (outcome) {
    case ReadOutcome::kNotDelivered:
      return "not_delivered";
    case ReadOutcome::kWaiting:
      return "waiting";
    case ReadOutcome::kUnreadable:
      return "unreadable";
    case ReadOutcome::kRead:
      return "read";
  }
  return "?";
}

std::uint32_t ReadLedger::add_message(const SentMessage& message,
                                      const std::vector<bool>& expected) {
  messages_.push_back(message);
  codes_.emplace_back(expected.size(), 0);
  std::vector<std::uint64_t> bits((expected.size() + 63) / 64, 0);
  std::uint32_t count = 0;
  for (std::size_t d = 0; d < expected.size(); ++d) {
    if (expected[d] && d != message.sender) {
      bits[d / 64] |= std::uint64_t{1} << (d % 64);
      ++count;
    }
  }
  expect_.push_back(std::move(bits));
  expected_count_.push_back(count);
  read_count_.push_back(0);
  return static_cast<std::uint32_t>(messages_.size() - 1);
}

bool ReadLedger::expected(std::uint32_t m, DeviceIndex d) const {
  if (d >= codes_[m].size()) return false;
  return (expect_[m][d / 64] >> (d % 64) & 1) != 0;
}

void ReadLedger::delivered(std::uint32_t m, DeviceIndex d) {
  if (!expected(m, d)) return;
  std::uint32_t& code = codes_[m][d];
  if (code == 0) code = kWaitingCode;
}

void ReadLedger::read(std::uint32_t m, DeviceIndex d, sim::SimTime at) {
  if (!expected(m, d)) {
    if (d != messages_[m].sender) unauthorized_.push_back({m, d, at});
    return;
  }
  std::uint32_t& code = codes_[m][d];
  if (code >= kReadBase) return;  // the first read counts
  const std::int64_t ms = std::max<std::int64_t>(0, (at - messages_[m].sent).ns() / 1'000'000);
  const std::int64_t cap = std::numeric_limits<std::uint32_t>::max() - kReadBase;
  code = kReadBase + static_cast<std::uint32_t>(std::min(ms, cap));
  if (++read_count_[m] == expected_count_[m] && on_fully_read) on_fully_read(m, at);
}

void ReadLedger::unreadable(std::uint32_t m, DeviceIndex d, UnreadableCause cause) {
  if (!expected(m, d)) return;
  std::uint32_t& code = codes_[m][d];
  if (code >= kReadBase) return;
  code = kUnreadableBase + static_cast<std::uint32_t>(cause);
}

ReadOutcome ReadLedger::outcome(std::uint32_t m, DeviceIndex d) const {
  const std::uint32_t code = d < codes_[m].size() ? codes_[m][d] : 0;
  if (code == 0) return ReadOutcome::kNotDelivered;
  if (code == kWaitingCode) return ReadOutcome::kWaiting;
  if (code < kReadBase) return ReadOutcome::kUnreadable;
  return ReadOutcome::kRead;
}

UnreadableCause ReadLedger::cause(std::uint32_t m, DeviceIndex d) const {
  if (outcome(m, d) != ReadOutcome::kUnreadable)
    throw std::logic_error("ReadLedger::cause: the pair is not unreadable");
  return static_cast<UnreadableCause>(codes_[m][d] - kUnreadableBase);
}

std::uint32_t ReadLedger::read_delay_ms(std::uint32_t m, DeviceIndex d) const {
  if (outcome(m, d) != ReadOutcome::kRead)
    throw std::logic_error("ReadLedger::read_delay_ms: the pair is not read");
  return codes_[m][d] - kReadBase;
}

ReadLedger::Totals ReadLedger::totals() const {
  Totals t;
  for (std::uint32_t m = 0; m < messages_.size(); ++m) {
    for (DeviceIndex d = 0; d < codes_[m].size(); ++d) {
      if (!expected(m, d)) continue;
      ++t.pairs;
      const ReadOutcome o = outcome(m, d);
      ++t.by_outcome[static_cast<int>(o)];
      if (o == ReadOutcome::kUnreadable) ++t.by_cause[static_cast<int>(cause(m, d))];
      if (o == ReadOutcome::kRead) t.delays_ms.add(codes_[m][d] - kReadBase);
    }
  }
  return t;
}

std::uint32_t ReadLedger::Totals::delay_quantile_ms(double q) const {
  const auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(reads())));
  std::uint64_t seen = 0;
  for (const auto& [delay, n] : delays_ms.entries()) {
    seen += n;
    if (seen >= rank) return delay;
  }
  throw std::logic_error("read delay quantile of no reads");
}

void DelayHistogram::add(std::uint32_t delay_ms) {
  if (delay_ms >= kDenseMs) {
    ++sparse_[delay_ms];
    return;
  }
  if (delay_ms >= dense_.size()) dense_.resize(delay_ms + 1, 0);
  ++dense_[delay_ms];
}

std::uint64_t DelayHistogram::count(std::uint32_t delay_ms) const {
  if (delay_ms < dense_.size()) return dense_[delay_ms];
  const auto it = sparse_.find(delay_ms);
  return it == sparse_.end() ? 0 : it->second;
}

std::vector<std::pair<std::uint32_t, std::uint64_t>> DelayHistogram::entries() const {
  std::vector<std::pair<std::uint32_t, std::uint64_t>> out;
  for (std::uint32_t delay = 0; delay < dense_.size(); ++delay) {
    if (dense_[delay] != 0) out.emplace_back(delay, dense_[delay]);
  }
  out.insert(out.end(), sparse_.begin(), sparse_.end());
  return out;
}

}  // namespace dmlssim::models::device
