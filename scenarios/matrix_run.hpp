// A scenario's Matrix room inside one run: builds the room, its federation and workload on the
// run's simulation and network, measures them, and turns the measurements into tables, summary
// entries and optional DAG files.
//
// Heals. Whenever a fault change merges components (servers up before and after that could not
// reach each other now can), a heal is recorded: its time; the state keys on which the sides'
// current states differed just then; the first successful federation request between former
// sides (the back-off wait ends); the time every server up at the heal holds every event some
// server held at the heal (DAG converged; the catch-up ends); the time all up servers' current
// states are equal again; the federation bytes and soft-failed events in between.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "models/matrix/federation.hpp"
#include "models/matrix/workload.hpp"
#include "scenarios/matrix_part.hpp"
#include "scenarios/scenario.hpp"

namespace dmlssim::scenarios {

class MatrixRun : public PartRun {
 public:
  MatrixRun(const RunContext& context, const MatrixSetup& setup);
  ~MatrixRun() override;
  MatrixRun(const MatrixRun&) = delete;
  MatrixRun& operator=(const MatrixRun&) = delete;

  // Every fault applied, as the fault log records it: names the heal it causes. Restarts, link
  // changes and partitions are logged before they change reachability, heals after.
  void on_fault(const sim::FaultRecord& record) override;

  // After the run: tables into the recorder, the summary's "matrix" object, the typed summary
  // metrics, and extra files (name, content) for the run directory.
  void finish(nlohmann::json& summary, std::vector<SummaryMetric>& metrics,
              std::vector<std::pair<std::string, std::string>>& files) override;

  // For parts that build on the room (encrypted rooms).
  models::matrix::Federation& federation();
  models::matrix::Workload& workload();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace dmlssim::scenarios
