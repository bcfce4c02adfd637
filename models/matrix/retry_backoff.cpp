#include "models/matrix/retry_backoff.hpp"

#include <algorithm>
#include <cmath>

namespace dmlssim::models::matrix {

void RetryBackoff::on_failure(sim::SimTime now, const FederationConfig& config,
                              sim::RandomStream& rng) {
  if (!failing()) {
    interval_ = config.min_retry_interval;
    failing_since_ = now;
  } else {
    // Synapse: int(interval_ms * multiplier * random.uniform(0.8, 1.4)), then the cap.
    const double ms =
        std::floor(static_cast<double>(interval_.ns() / 1'000'000) * config.retry_multiplier *
                   rng.uniform(config.retry_jitter_low, config.retry_jitter_high));
    interval_ = std::min(sim::kMillisecond * static_cast<int64_t>(ms), config.max_retry_interval);
  }
  last_failure_ = now;
}

bool RetryBackoff::on_success() {
  const bool was_failing = failing();
  interval_ = sim::SimTime();
  failing_since_ = sim::SimTime();
  return was_failing;
}

}  // namespace dmlssim::models::matrix
