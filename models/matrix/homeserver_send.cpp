// The sending side of a Homeserver: the outbound log and the destinations' cursors, transactions,
// back-off and catch-up, the catch-up wake-up loop and the optional probes. See homeserver.hpp.
#include <algorithm>

#include "models/matrix/federation.hpp"
#include "models/matrix/homeserver.hpp"

namespace dmlssim::models::matrix {

void Homeserver::fan_out(EventIndex e, Arrival arrival, sim::NodeId from) {
  const DestinationSet* to = federation_.transport().fanout(node(), e, arrival, from);
  if (to == nullptr || to->servers.empty()) return;
  outbound_.push_back(LogEntry{e, to});
  for (const sim::NodeId d : to->servers) {
    if (d != node()) try_send(d);
  }
}

bool Homeserver::has_unsent(sim::NodeId d, const Destination& dest) const {
  for (std::size_t i = dest.cursor; i < outbound_.size(); ++i) {
    if (outbound_[i].to->contains(d)) return true;
  }
  return false;
}

void Homeserver::try_send(sim::NodeId d) {
  if (!up()) return;
  Destination& dest = destination(d);
  if (dest.in_flight || !dest.backoff.may_try(simulation().now())) return;
  SendTransaction txn;
  txn.pdus = federation_.take_pdu_list();
  if (dest.catching_up) {
    // Synapse's catch-up: only the latest event for the destination; it pulls the rest. Nothing
    // newer than what it acknowledged: caught up.
    for (std::size_t i = outbound_.size(); i > dest.cursor; --i) {
      if (outbound_[i - 1].to->contains(d)) {
        txn.pdus.push_back(outbound_[i - 1].event);
        break;
      }
    }
    if (txn.pdus.empty()) dest.catching_up = false;
  } else {
    // The next events for it, oldest first, up to the transaction limit.
    std::size_t i = dest.cursor;
    for (; i < outbound_.size() && txn.pdus.size() < config().max_pdus_per_transaction; ++i) {
      if (outbound_[i].to->contains(d)) txn.pdus.push_back(outbound_[i].event);
    }
    if (txn.pdus.empty()) dest.cursor = static_cast<std::uint32_t>(outbound_.size());
    txn.log_end = txn.pdus.empty() ? dest.cursor : static_cast<std::uint32_t>(i);
  }
  // To-device messages go in the same transaction, oldest first.
  if (!to_device_out_.empty()) {
    const auto out = to_device_out_.find(d);
    if (out != to_device_out_.end()) {
      const std::size_t n = std::min(out->second.size(), kMaxEdusPerTransaction);
      txn.edus.assign(out->second.begin(), out->second.begin() + static_cast<std::ptrdiff_t>(n));
    }
  }
  if (txn.pdus.empty() && txn.edus.empty()) {
    return federation_.recycle_pdu_list(std::move(txn.pdus));
  }
  dest.in_flight = true;
  request(d, std::move(txn));
}

bool Homeserver::send_to_device(sim::NodeId d, ToDevice message) {
  if (!up()) return false;
  if (d == node()) {
    signals().to_device_received(node(), node(), message);
    return true;
  }
  to_device_out_[d].push_back(message);
  try_send(d);
  return true;
}

bool Homeserver::claim_keys(sim::NodeId d, std::uint32_t id, std::uint32_t devices) {
  if (!up() || !federation_.has_key_service()) return false;
  ClaimKeys claim;
  claim.id = id;
  claim.devices = devices;
  request(d, claim);
  return true;
}

bool Homeserver::download_media(sim::NodeId d, std::uint32_t id) {
  if (!up() || !federation_.has_media_service()) return false;
  DownloadMedia download;
  download.id = id;
  request(d, download);
  return true;
}

void Homeserver::request(sim::NodeId to, FederationRequest body) {
  federation_.request(node(), to, std::move(body));
}

bool Homeserver::backoff_succeeded(sim::NodeId d) {
  if (!failing(d)) return false;
  destination(d).backoff.on_success();
  failing_bits_[d / 64] &= ~(std::uint64_t{1} << (d % 64));
  --backing_off_;
  federation_.count_backing_off(-1);
  signals().destination_up(node(), d);
  return true;
}

void Homeserver::backoff_failed(sim::NodeId d) {
  Destination& dest = destination(d);
  if (!failing(d)) {
    if (failing_bits_.empty()) failing_bits_.resize((federation_.server_count() + 63) / 64, 0);
    failing_bits_[d / 64] |= std::uint64_t{1} << (d % 64);
    ++backing_off_;
    federation_.count_backing_off(+1);
    signals().destination_down(node(), d);
  }
  dest.backoff.on_failure(simulation().now(), config(), backoff_rng_);
  schedule_probe(d);
}

void Homeserver::inbound_from_failing(sim::NodeId origin) {
  // Synapse: an authenticated inbound request clears the back-off ("remote server up") and wakes
  // the destination.
  if (backoff_succeeded(origin)) try_send(origin);
}

// --- the catch-up wake-up loop ---

sim::SimTime Homeserver::next_wakeup_point() const {
  const std::int64_t period = config().catchup_wakeup_period.ns();
  const std::int64_t elapsed = (simulation().now() - wakeup_anchor_).ns();
  return wakeup_anchor_ + sim::SimTime::from_ns(period * (elapsed / period + 1));
}

void Homeserver::schedule_wakeup() {
  if (wakeup_scheduled_) return;
  wakeup_scheduled_ = true;
  at<&Homeserver::start_wakeup_round>(next_wakeup_point(), this);
}

void Homeserver::start_wakeup_round() {
  round_cursor_ = 0;
  wakeup_batch();
}

// Synapse's _wake_destinations_needing_catchup: asks for the next batch of destinations (in
// destination order) that need catching up and are not backing off, wakes them one per stagger,
// sleeps one stagger after the last, and asks again until no destination is left.
void Homeserver::wakeup_batch() {
  constexpr std::size_t kBatch = 25;  // get_catch_up_outstanding_destinations' LIMIT
  std::vector<sim::NodeId> due;
  for (sim::NodeId d = round_cursor_; d < destinations_.size() && due.size() < kBatch; ++d) {
    const Destination& dest = destinations_[d];
    if (dest.catching_up && !dest.in_flight && dest.backoff.may_try(simulation().now())) {
      due.push_back(d);
    }
  }
  if (due.empty()) {
    // The round is over; the loop goes on while some destination still needs catching up.
    wakeup_scheduled_ = false;
    for (const Destination& dest : destinations_) {
      if (dest.catching_up) return schedule_wakeup();
    }
    return;
  }
  round_cursor_ = due.back() + 1;
  const sim::SimTime stagger = config().catchup_wakeup_stagger;
  for (std::size_t i = 0; i < due.size(); ++i)
    after<&Homeserver::try_send>(stagger * static_cast<std::int64_t>(i), this, due[i]);
  after<&Homeserver::wakeup_batch>(stagger * static_cast<std::int64_t>(due.size()), this);
}

// --- probes (optional; not in Synapse) ---

void Homeserver::schedule_probe(sim::NodeId d) {
  if (config().probe_interval <= sim::SimTime()) return;
  Destination& dest = destination(d);
  if (dest.probe_scheduled) return;
  dest.probe_scheduled = true;
  after<&Homeserver::probe>(config().probe_interval, this, d);
}

void Homeserver::probe(sim::NodeId d) {
  Destination& dest = destination(d);
  dest.probe_scheduled = false;
  if (failing(d)) request(d, Probe{});
}

}  // namespace dmlssim::models::matrix
