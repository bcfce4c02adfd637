// Tunables of the federation model. Defaults are Synapse's (synapse/config/federation.py,
// synapse/federation/sender/per_destination_queue.py, synapse/handlers/federation_event.py).
#pragma once

#include <cstddef>

#include "sim/time.hpp"

namespace dmlssim::models::matrix {

struct FederationConfig {
  // Transactions (server-server API PUT /send): at most this many PDUs, one in flight per
  // destination.
  std::size_t max_pdus_per_transaction = 50;
  // Forward extremities a new event cites as prev_events (the spec allows 20; Synapse takes the
  // 10 deepest).
  std::size_t max_prev_events = 10;
  // Back-off after a failed request: the first wait, then x multiplier x U(jitter_low,
  // jitter_high) per further failure, capped (Synapse destination_*_retry_interval).
  sim::SimTime min_retry_interval = sim::kMinute * 10;
  double retry_multiplier = 2.0;
  double retry_jitter_low = 0.8;
  double retry_jitter_high = 1.4;
  sim::SimTime max_retry_interval = sim::kDay * 7;
  // Destinations that need catching up are woken every period, one per stagger, once their
  // back-off has expired (WAKEUP_RETRY_PERIOD_SEC, WAKEUP_INTERVAL_BETWEEN_DESTINATIONS_SEC).
  sim::SimTime catchup_wakeup_period = sim::kSecond * 60;
  sim::SimTime catchup_wakeup_stagger = sim::kSecond * 5;
  // POST /get_missing_events limit.
  std::size_t missing_events_limit = 10;
  // GET /backfill limit per request, and the delay before backfilling a gap (a client paging
  // back would trigger it; 0 = at once).
  std::size_t backfill_limit = 100;
  sim::SimTime backfill_delay = sim::SimTime();
  // A server backing off from a destination probes it this often (0 = never, Synapse's
  // behaviour): a successful probe ends the back-off at once.
  sim::SimTime probe_interval = sim::SimTime();
  // Local processing of one received PDU (auth checks, persistence).
  sim::SimTime pdu_processing = sim::kMillisecond * 2;
};

}  // namespace dmlssim::models::matrix
