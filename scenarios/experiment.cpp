#include "scenarios/experiment.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <exception>
#include <fstream>
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

// The run directories in `dir` that hold a complete run (a manifest), ascending.
std::vector<uint64_t> complete_runs(const std::filesystem::path& dir) {
  std::vector<uint64_t> out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const int64_t index = run_index(entry.path().filename().string());
    if (index >= 0 && entry.is_directory() &&
        std::filesystem::exists(entry.path() / "manifest.json"))
      out.push_back(static_cast<uint64_t>(index));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void write_experiment_file(const std::filesystem::path& dir, const Scenario& scenario,
                           const std::string& status, const std::vector<uint64_t>& kept) {
  nlohmann::json j = {{"tool", "dmlssim"},         {"scenario", scenario.name},
                      {"source", scenario.source}, {"runs", scenario.runs},
                      {"status", status},          {"resolved_scenario", resolved_yaml(scenario)}};
  if (status != "complete") j["runs_kept"] = kept;
  write_file_atomically(dir / "experiment.json", j.dump(2) + "\n");
}

// Makes `dir` ready for the experiment: creates it, or checks that everything in it is a dmlssim
// result of this same experiment (else refused without `force`), then removes the old summary
// (so no stale summary outlives an interrupted run) and the run directories and temporaries the
// new experiment will not overwrite.
void prepare_out_dir(const std::filesystem::path& dir, const Scenario& scenario,
                     const ExperimentOptions& options) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec)) {
    throw ExperimentRefused("--out " + dir.string() + " is a file, not a directory");
  }
  fs::create_directories(dir, ec);
  if (ec) throw ExperimentRefused("cannot create --out " + dir.string() + ": " + ec.message());
  const std::string resolved = resolved_yaml(scenario);
  // What the directory holds now: its experiment.json, or (from versions without it) the
  // resolved scenario of its first run.
  std::string held, described;
  if (fs::exists(dir / "experiment.json")) {
    try {
      const nlohmann::json j = nlohmann::json::parse(read_text(dir / "experiment.json"));
      held = j.at("resolved_scenario").get<std::string>();
      described = "scenario '" + j.at("scenario").get<std::string>() + "' from " +
                  j.at("source").get<std::string>() + ", " +
                  std::to_string(j.at("runs").get<uint64_t>()) + " runs, " +
                  j.at("status").get<std::string>();
    } catch (const std::exception&) {
      held = "?";
      described = "an unreadable experiment.json";
    }
  } else if (const std::vector<uint64_t> runs = complete_runs(dir); !runs.empty()) {
    held = read_text(dir / run_dir_name(runs.front()) / "scenario.yaml");
    described = std::to_string(runs.size()) + " run directories of another scenario";
  }
  const bool other = !held.empty() && held != resolved;
  if (other && !options.force) {
    throw ExperimentRefused("--out " + dir.string() + " holds the results of another experiment (" +
                            described + "); choose another --out, or add --force to replace them");
  }
  std::vector<fs::path> stale;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    const int64_t index = run_index(name);
    if (index >= 0 && entry.is_directory() && fs::exists(entry.path() / "manifest.json")) {
      if (other || (!options.only_run && static_cast<uint64_t>(index) >= scenario.runs))
        stale.push_back(entry.path());
    } else if (name == "summary.csv") {
      if (other || !options.only_run) stale.push_back(entry.path());
    } else if (name == "experiment.json" || name.find(".tmp-") != std::string::npos) {
      if (name != "experiment.json") stale.push_back(entry.path());
    } else {
      throw ExperimentRefused("--out " + dir.string() + " holds '" + name +
                              "', which is not a dmlssim result; choose another --out");
    }
  }
  for (const auto& p : stale)
    fs::remove_all(p);
  if (!options.only_run || held.empty() || other) {
    write_experiment_file(dir, scenario, options.only_run ? "partial" : "running",
                          complete_runs(dir));
  }
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

std::vector<RunSummary> run_experiment(const Scenario& scenario, const ExperimentOptions& options,
                                       ExperimentProgress* progress) {
  prepare_out_dir(options.out_dir, scenario, options);
  const std::size_t runs = scenario.runs;
  std::vector<RunSummary> results(runs);
  std::vector<std::exception_ptr> errors(runs);
  std::vector<std::size_t> order;  // the runs to do
  if (options.only_run) {
    if (*options.only_run >= runs) {
      throw ExperimentRefused("--run-index " + std::to_string(*options.only_run) +
                              " is not a run of this scenario (runs 0 to " +
                              std::to_string(runs - 1) + ")");
    }
    order.push_back(*options.only_run);
  } else {
    for (std::size_t r = 0; r < runs; ++r)
      order.push_back(r);
  }
  std::atomic<std::size_t> next{0};
  std::atomic<bool> interrupted{false};
  auto worker = [&] {
    for (std::size_t i = next++; i < order.size(); i = next++) {
      const std::size_t run = order[i];
      if (options.stop && options.stop->load()) {
        interrupted = true;
        break;
      }
      try {
        if (progress) progress->per_run[run].stop = options.stop;
        const std::string start = utc_now();
        const auto t0 = std::chrono::steady_clock::now();
        RunResult result =
            run_scenario(scenario, run, progress ? &progress->per_run[run] : nullptr);
        if (options.dispose_world) options.dispose_world(std::move(result.world));
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const nlohmann::json wall_clock = {
            {"start", start}, {"end", utc_now()}, {"seconds", seconds}};
        write_run_directory(options.out_dir, scenario, result, wall_clock);
        if (progress) progress->per_run[run].written = true;
        results[run] =
            RunSummary{run, std::move(result.summary), std::move(result.summary_metrics)};
      } catch (const RunInterrupted&) {
        interrupted = true;
      } catch (...) {
        errors[run] = std::current_exception();
      }
      if (progress) ++progress->finished;
    }
  };
  const unsigned jobs =
      std::max(1u, std::min<unsigned>(options.jobs, static_cast<unsigned>(order.size())));
  std::vector<std::thread> threads;
  for (unsigned j = 1; j < jobs; ++j)
    threads.emplace_back(worker);
  worker();
  for (auto& t : threads)
    t.join();
  for (const auto& e : errors) {
    if (e) {
      write_experiment_file(options.out_dir, scenario, "failed", complete_runs(options.out_dir));
      std::rethrow_exception(e);
    }
  }
  if (interrupted) {
    write_experiment_file(options.out_dir, scenario, "interrupted", complete_runs(options.out_dir));
    throw RunInterrupted();
  }
  if (options.only_run) {
    std::vector<RunSummary> one;
    one.push_back(std::move(results[*options.only_run]));
    return one;
  }

  // One row per run: scenario, strategy, run, then every summary metric that names a column, in
  // the order the run gave them (every run gives the same ones).
  std::ostringstream csv;
  csv << "scenario,strategy,run";
  for (const SummaryMetric& m : results.front().metrics) {
    if (!m.name.empty()) csv << ',' << m.name;
  }
  csv << '\n';
  for (const RunSummary& r : results) {
    csv << scenario.name << ',' << sim::csv_field(scenario.strategy) << ',' << r.run;
    for (const SummaryMetric& m : r.metrics) {
      if (!m.name.empty()) csv << ',' << sim::csv_field(csv_cell(m));
    }
    csv << '\n';
  }
  write_file_atomically(options.out_dir / "summary.csv", csv.str());
  write_experiment_file(options.out_dir, scenario, "complete", {});
  return results;
}

}  // namespace dmlssim::scenarios
