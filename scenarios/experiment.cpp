#include "scenarios/experiment.hpp"

#include <unistd.h>

#include <chrono>
#include <ctime>
#include <exception>
#include <mutex>
#include <sstream>
#include <thread>

#include "generated/build_info.hpp"
#include "scenarios/atomic_file.hpp"
#include "scenarios/scenario_loader.hpp"

namespace dmlssim::scenarios {
namespace {

std::string utc_now() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string run_dir_name(uint64_t run) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "run-%04llu", static_cast<unsigned long long>(run));
  return buf;
}

void write_run_directory(const std::filesystem::path& out_dir, const Scenario& scenario,
                         const RunResult& result, const nlohmann::json& wall_clock) {
  const std::filesystem::path final_dir = out_dir / run_dir_name(result.run);
  std::filesystem::path tmp_dir = final_dir;
  tmp_dir += ".tmp-" + std::to_string(::getpid());
  std::filesystem::remove_all(tmp_dir);
  std::filesystem::create_directories(tmp_dir);
  for (const auto& [name, content] : run_files(scenario, result, wall_clock)) {
    write_file(tmp_dir / name, content);  // the directory's rename makes the whole set atomic
  }
  std::filesystem::remove_all(final_dir);
  std::filesystem::rename(tmp_dir, final_dir);
}

// Index of a run directory name "run-NNNN", or -1.
int64_t run_index(const std::string& name) {
  if (name.size() < 8 || name.rfind("run-", 0) != 0) return -1;
  for (std::size_t i = 4; i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9') return -1;
  }
  return std::stoll(name.substr(4));
}

// Makes `dir` ready for an experiment of `runs` runs: creates it, or checks that everything in it
// is a dmlssim result, then removes the old summary (so no stale summary outlives an interrupted
// run) and the run directories and temporaries the new experiment will not overwrite.
void prepare_out_dir(const std::filesystem::path& dir, uint64_t runs) {
  namespace fs = std::filesystem;
  fs::create_directories(dir);
  std::vector<fs::path> stale;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    const int64_t index = run_index(name);
    if (index >= 0 && entry.is_directory() && fs::exists(entry.path() / "manifest.json")) {
      if (static_cast<uint64_t>(index) >= runs) stale.push_back(entry.path());
    } else if (name == "summary.csv" || name.find(".tmp-") != std::string::npos) {
      stale.push_back(entry.path());
    } else {
      throw std::runtime_error("output directory " + dir.string() + " holds '" + name +
                               "', which is not a dmlssim result; choose another --out");
    }
  }
  for (const auto& p : stale)
    fs::remove_all(p);
}

}  // namespace

std::vector<std::pair<std::string, std::string>> run_files(const Scenario& scenario,
                                                           const RunResult& result,
                                                           const nlohmann::json& wall_clock) {
  std::vector<std::pair<std::string, std::string>> files;
  files.emplace_back("scenario.yaml", resolved_yaml(scenario));
  const nlohmann::json manifest = {
      {"tool", "dmlssim"},
      {"version", build_info::kVersion},
      {"revision", build_info::kRevision},
      {"scenario", scenario.name},
      {"source", scenario.source},
      {"seed", scenario.seed},
      {"run", result.run},
      {"runs", scenario.runs},
      {"events_processed", result.events_processed},
      {"wall_clock", wall_clock},
  };
  files.emplace_back("manifest.json", manifest.dump(2) + "\n");
  files.emplace_back("summary.json", result.summary.dump(2) + "\n");
  const std::vector<std::pair<std::string, std::string>> context = {
      {"scenario", scenario.name},
      {"strategy", scenario.strategy},
      {"run", std::to_string(result.run)}};
  for (const auto& file : result.files)
    files.push_back(file);
  for (const auto& [name, table] : result.metrics.tables()) {
    std::ostringstream csv;
    sim::write_csv(csv, table, context);
    const std::string base = name == "gauges" ? "timeseries" : name;
    files.emplace_back(base + ".csv", csv.str());
    if (scenario.metrics.json) {
      std::ostringstream json;
      sim::write_json(json, table, context);
      files.emplace_back(base + ".json", json.str());
    }
  }
  return files;
}

std::vector<nlohmann::json> run_experiment(const Scenario& scenario,
                                           const ExperimentOptions& options,
                                           ExperimentProgress* progress) {
  prepare_out_dir(options.out_dir, scenario.runs);
  const std::size_t runs = scenario.runs;
  std::vector<nlohmann::json> summaries(runs);
  std::vector<std::exception_ptr> errors(runs);
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t run = next++; run < runs; run = next++) {
      try {
        const std::string start = utc_now();
        const auto t0 = std::chrono::steady_clock::now();
        RunResult result =
            run_scenario(scenario, run, progress ? &progress->per_run[run] : nullptr);
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const nlohmann::json wall_clock = {
            {"start", start}, {"end", utc_now()}, {"seconds", seconds}};
        write_run_directory(options.out_dir, scenario, result, wall_clock);
        summaries[run] = result.summary;
      } catch (...) {
        errors[run] = std::current_exception();
      }
      if (progress) ++progress->finished;
    }
  };
  const unsigned jobs = std::max(1u, std::min<unsigned>(options.jobs, static_cast<unsigned>(runs)));
  std::vector<std::thread> threads;
  for (unsigned j = 1; j < jobs; ++j)
    threads.emplace_back(worker);
  worker();
  for (auto& t : threads)
    t.join();
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }

  // The Matrix columns (present with a room): totals, then the first heal; empty when the run
  // had no heal or did not converge.
  static const char* kMatrixTotals[] = {"events_sent", "soft_failed_events", "rejected_events",
                                        "heals"};
  static const char* kFirstHeal[] = {"backoff_wait_s",    "catchup_s",     "dag_converged_s",
                                     "state_converged_s", "catchup_bytes", "soft_failed"};
  std::ostringstream csv;
  csv << "scenario,strategy,run,mean_availability,mean_reachable_pair_fraction,time_fraction_split,"
         "topology_changes";
  if (scenario.matrix) {
    for (const char* k : kMatrixTotals)
      csv << ',' << k;
    for (const char* k : kFirstHeal)
      csv << ",first_heal_" << k;
    csv << ",first_heal_status";
  }
  csv << '\n';
  auto number = [](const nlohmann::json& v) -> std::string {
    if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
    if (v.is_number()) return sim::format_cell(v.get<double>());
    return "";
  };
  for (const auto& s : summaries) {
    const std::vector<sim::Cell> cells = {s["mean_availability"].get<double>(),
                                          s["mean_reachable_pair_fraction"].get<double>(),
                                          s["time_fraction_split"].get<double>()};
    csv << scenario.name << ',' << scenario.strategy << ',' << s["run"].get<uint64_t>();
    for (const auto& c : cells)
      csv << ',' << sim::format_cell(c);
    csv << ',' << s["topology_changes"].get<uint64_t>();
    if (scenario.matrix) {
      const nlohmann::json& m = s["matrix"];
      for (const char* k : kMatrixTotals)
        csv << ',' << number(m[k]);
      for (const char* k : kFirstHeal) {
        csv << ',' << (m["first_heal"].is_object() ? number(m["first_heal"][k]) : "");
      }
      csv << ','
          << (m["first_heal"].is_object() ? m["first_heal"]["status"].get<std::string>()
                                          : "no heal");
    }
    csv << '\n';
  }
  write_file_atomically(options.out_dir / "summary.csv", csv.str());
  return summaries;
}

}  // namespace dmlssim::scenarios
