// The engine's correctness anchors: simulated availability under random outages against the
// steady state of the continuous-time Markov chain, solved independently with Eigen.
#include <Eigen/Dense>
#include <catch2/catch.hpp>
#include <vector>

#include "sim/faults.hpp"
#include "sim/reachability_probe.hpp"
#include "sim/statistics.hpp"

using namespace dmlssim::sim;
using namespace dmlssim::sim::literals;

namespace {

// Stationary distribution pi of generator Q: pi Q = 0, sum(pi) = 1.
Eigen::VectorXd stationary(const Eigen::MatrixXd& q) {
  const Eigen::Index n = q.rows();
  Eigen::MatrixXd a(n + 1, n);
  a.topRows(n) = q.transpose();
  a.row(n).setOnes();
  Eigen::VectorXd b = Eigen::VectorXd::Zero(n + 1);
  b(n) = 1;
  return a.colPivHouseholderQr().solve(b);
}

// Birth-death chain on the number of up servers j = 0..n: j -> j-1 at j*lambda, j -> j+1 at
// (n-j)*mu.
Eigen::MatrixXd up_count_generator(int n, double lambda, double mu) {
  Eigen::MatrixXd q = Eigen::MatrixXd::Zero(n + 1, n + 1);
  for (int j = 0; j <= n; ++j) {
    if (j > 0) q(j, j - 1) = j * lambda;
    if (j < n) q(j, j + 1) = (n - j) * mu;
    q(j, j) = -q.row(j).sum();
  }
  return q;
}

struct Replication {
  std::vector<double> availability;  // per server
  std::vector<double> time_with_up;  // time fraction with exactly j servers up, j = 0..n
};

Replication simulate(int servers, const Distribution& up, const Distribution& down, SimTime horizon,
                     uint64_t run) {
  Simulation sim;
  Reachability reach(static_cast<std::size_t>(servers));
  std::vector<double> time_with_up(static_cast<std::size_t>(servers) + 1, 0);
  SimTime last;
  reach.add_before_change_listener([&] {
    time_with_up[reach.up_count()] += (sim.now() - last).seconds();
    last = sim.now();
  });
  ReachabilityProbe probe(sim, reach, false);
  FaultInjector faults(sim, reach, 2024, run, nullptr);
  std::vector<NodeId> all;
  for (int i = 0; i < servers; ++i)
    all.push_back(static_cast<NodeId>(i));
  faults.schedule(RandomOutages{all, up, down, SimTime(), {}}, 0);
  sim.run_until(horizon);
  time_with_up[reach.up_count()] += (horizon - last).seconds();
  probe.finish(horizon);
  Replication r;
  for (const auto& u : probe.uptime())
    r.availability.push_back(u.seconds() / horizon.seconds());
  for (double& t : time_with_up)
    t /= horizon.seconds();
  r.time_with_up = time_with_up;
  return r;
}

}  // namespace

TEST_CASE("single-server availability matches the two-state CTMC", "[validation][ctmc]") {
  const double mtbf = 3600, mttr = 900;
  Eigen::MatrixXd q(2, 2);
  q << -1 / mtbf, 1 / mtbf, 1 / mttr, -1 / mttr;  // state 0 up, state 1 down
  const double expected = stationary(q)(0);
  CHECK(expected == Approx(0.8));
  std::vector<double> samples;
  for (uint64_t run = 0; run < 30; ++run) {
    samples.push_back(
        simulate(1, Distribution::exponential(mtbf), Distribution::exponential(mttr), 500_h, run)
            .availability[0]);
  }
  const MeanInterval ci = mean_interval(samples, 0.99);
  INFO("mean " << ci.mean << " ± " << ci.half_width << ", CTMC " << expected);
  CHECK(ci.lo() <= expected);
  CHECK(expected <= ci.hi());
  CHECK(ci.half_width < 0.02);  // the check has teeth
}

TEST_CASE("P(at least k of n servers up) matches the birth-death CTMC", "[validation][ctmc]") {
  const int n = 5;
  const double mtbf = 2 * 3600, mttr = 1800;
  const Eigen::VectorXd pi = stationary(up_count_generator(n, 1 / mtbf, 1 / mttr));
  // Independent servers: the chain must agree with the binomial law.
  const double a = mtbf / (mtbf + mttr);
  CHECK(pi(n) == Approx(std::pow(a, n)).epsilon(1e-9));
  std::vector<std::vector<double>> at_least(n + 1);
  for (uint64_t run = 0; run < 30; ++run) {
    const Replication r =
        simulate(n, Distribution::exponential(mtbf), Distribution::exponential(mttr), 1000_h, run);
    for (int k = 0; k <= n; ++k) {
      double p = 0;
      for (int j = k; j <= n; ++j)
        p += r.time_with_up[static_cast<std::size_t>(j)];
      at_least[static_cast<std::size_t>(k)].push_back(p);
    }
  }
  for (int k = 1; k <= n; ++k) {
    const double expected = pi.tail(n + 1 - k).sum();
    const MeanInterval ci = mean_interval(at_least[static_cast<std::size_t>(k)], 0.99);
    INFO("k=" << k << " mean " << ci.mean << " ± " << ci.half_width << ", CTMC " << expected);
    CHECK(ci.lo() <= expected);
    CHECK(expected <= ci.hi());
  }
}

TEST_CASE("Weibull outages: availability is E[up] / (E[up] + E[down]) (renewal-reward)",
          "[validation]") {
  const double mtbf = 3600, mttr = 600;
  std::vector<double> samples;
  for (uint64_t run = 0; run < 30; ++run) {
    const Replication r = simulate(3, Distribution::weibull_with_mean(0.7, mtbf),
                                   Distribution::weibull_with_mean(0.7, mttr), 500_h, run);
    for (double x : r.availability)
      samples.push_back(x);
  }
  const double expected = mtbf / (mtbf + mttr);
  const MeanInterval ci = mean_interval(samples, 0.99);
  INFO("mean " << ci.mean << " ± " << ci.half_width << ", theory " << expected);
  CHECK(ci.lo() <= expected);
  CHECK(expected <= ci.hi());
}
