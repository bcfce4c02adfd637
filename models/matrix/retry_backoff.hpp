// The per-destination retry back-off of a homeserver (Synapse synapse/util/retryutils.py): after
// the first failure wait min_retry_interval; after each further failure multiply the wait by
// retry_multiplier x U(jitter_low, jitter_high), in whole milliseconds, capped at
// max_retry_interval. Any success - including an inbound request from the destination - clears
// it. Survives crashes (Synapse keeps it in its database).
#pragma once

#include "models/matrix/federation_config.hpp"
#include "sim/random.hpp"

namespace dmlssim::models::matrix {

class RetryBackoff {
 public:
  bool failing() const { return interval_ > sim::SimTime(); }
  // May a request be attempted at `now`?
  bool may_try(sim::SimTime now) const { return !failing() || now >= retry_at(); }
  sim::SimTime retry_at() const { return last_failure_ + interval_; }
  sim::SimTime interval() const { return interval_; }
  sim::SimTime failing_since() const { return failing_since_; }

  void on_failure(sim::SimTime now, const FederationConfig& config, sim::RandomStream& rng);
  // Returns true if the destination had been failing ("remote server up").
  bool on_success();

 private:
  sim::SimTime interval_;
  sim::SimTime last_failure_;
  sim::SimTime failing_since_;
};

}  // namespace dmlssim::models::matrix
