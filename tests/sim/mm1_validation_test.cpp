// An M/M/1 queue built on the engine must reproduce the analytic mean waiting time in queue,
// Wq = rho / (mu - lambda).
#include <catch2/catch.hpp>
#include <deque>
#include <vector>

#include "sim/random.hpp"
#include "sim/simulation.hpp"
#include "sim/statistics.hpp"

using namespace dmlssim::sim;

namespace {

class MM1 {
 public:
  MM1(double lambda, double mu, uint64_t run)
      : lambda_(lambda), mu_(mu), arrivals_(99, run, "arrivals"), services_(99, run, "services") {}

  // Mean wait in queue of customers warmup+1 .. warmup+customers.
  double mean_wait(int warmup, int customers) {
    warmup_ = warmup;
    target_ = warmup + customers;
    schedule_arrival();
    sim_.run();
    return total_wait_ / static_cast<double>(customers);
  }

 private:
  void schedule_arrival() {
    sim_.schedule(SimTime::from_seconds(arrivals_.exponential(1 / lambda_)), [this] { arrive(); });
  }
  void arrive() {
    if (++arrived_ < target_) schedule_arrival();
    if (busy_) {
      queue_.push_back(sim_.now());
    } else {
      start_service(sim_.now());
    }
  }
  void start_service(SimTime arrived_at) {
    busy_ = true;
    if (++served_ > warmup_) total_wait_ += (sim_.now() - arrived_at).seconds();
    sim_.schedule(SimTime::from_seconds(services_.exponential(1 / mu_)), [this] { depart(); });
  }
  void depart() {
    busy_ = false;
    if (!queue_.empty()) {
      const SimTime t = queue_.front();
      queue_.pop_front();
      start_service(t);
    }
  }

  double lambda_, mu_;
  RandomStream arrivals_, services_;
  Simulation sim_;
  std::deque<SimTime> queue_;
  bool busy_ = false;
  int arrived_ = 0, served_ = 0, warmup_ = 0, target_ = 0;
  double total_wait_ = 0;
};

}  // namespace

TEST_CASE("M/M/1 mean waiting time matches rho / (mu - lambda)", "[validation][mm1]") {
  const double lambda = 0.8, mu = 1.0;
  const double expected = (lambda / mu) / (mu - lambda);  // 4.0
  std::vector<double> samples;
  for (uint64_t run = 0; run < 30; ++run)
    samples.push_back(MM1(lambda, mu, run).mean_wait(5000, 50000));
  const MeanInterval ci = mean_interval(samples, 0.99);
  INFO("mean " << ci.mean << " ± " << ci.half_width << ", analytic " << expected);
  CHECK(ci.lo() <= expected);
  CHECK(expected <= ci.hi());
  CHECK(ci.half_width < 0.4);
}
