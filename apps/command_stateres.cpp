// `stateres`: evaluate state-resolution cases in the matrix-stateres-cases/1 format.
#include <fstream>
#include <iostream>
#include <sstream>

#include "apps/cli_options.hpp"
#include "apps/commands.hpp"
#include "models/matrix/stateres_cases.hpp"

namespace dmlssim::apps {
namespace {

namespace mx = models::matrix;

}  // namespace

int command_stateres(const std::vector<std::string>& args) {
  po::options_description options("stateres options");
  std::string path, only, format = "text", rejected = "reauthorise", closure = "auth-chain",
                          chain = "exclude-self";
  options.add_options()("help,h", "show this help")("version", "show the version")(
      "file", po::value(&path)->required(), "cases file (JSON, matrix-stateres-cases/1)")(
      "case", po::value(&only), "evaluate only the case with this name")(
      "format", po::value(&format), "text (pass/fail per case) | json (the computed results)")(
      "rejected", po::value(&rejected),
      "events marked rejected in the auth checks: reauthorise (spec) | skip (Synapse)")(
      "power-closure", po::value(&closure),
      "first-pass events: auth-chain (spec) | conflicted-paths (Synapse, ruma)")(
      "auth-chain", po::value(&chain),
      "a state set's auth chain: exclude-self (spec) | include-self (Synapse)")(
      "synapse", "Synapse's choice on all three points (skip, conflicted-paths, include-self)");
  po::positional_options_description positional;
  positional.add("file", 1);
  po::variables_map vm;
  int code = 0;
  const std::string usage =
      "usage: dmlssim stateres FILE [--case NAME] [--format text|json] [--synapse]\n"
      "         [--rejected reauthorise|skip] [--power-closure auth-chain|conflicted-paths]\n"
      "         [--auth-chain exclude-self|include-self]\n\n"
      "Evaluates the state-resolution cases in FILE (the format of the shared\n"
      "testvectors/stateres/README.md) and reports pass or fail for each; exit status 0 when all\n"
      "pass, 1 when any fails, 2 for a bad file. The defaults follow the spec's text; --synapse\n"
      "(or the three options one by one) follows Synapse where the two differ (docs/matrix.md).\n"
      "With --format json it prints the computed results: for --case, the resolved state as\n"
      "[[type, state_key, event_id], ...]; otherwise an object from case name to result.";
  if (!parse_options(args, options, positional, vm, usage, code, "FILE (a cases file)"))
    return code;
  if (format != "text" && format != "json") {
    std::cerr << "dmlssim stateres: --format: expected text or json, got '" << format << "'\n";
    return 2;
  }
  mx::CaseRunOptions run;
  if (rejected == "skip") {
    run.rejected = mx::RejectedEventPolicy::kSkip;
  } else if (rejected != "reauthorise") {
    std::cerr << "dmlssim stateres: --rejected: expected reauthorise or skip, got '" << rejected
              << "'\n";
    return 2;
  }
  if (closure == "conflicted-paths") {
    run.power_closure = mx::PowerClosure::kConflictedPaths;
  } else if (closure != "auth-chain") {
    std::cerr << "dmlssim stateres: --power-closure: expected auth-chain or conflicted-paths, got '"
              << closure << "'\n";
    return 2;
  }
  if (chain == "include-self") {
    run.auth_chain = mx::AuthChainConvention::kIncludeSelf;
  } else if (chain != "exclude-self") {
    std::cerr << "dmlssim stateres: --auth-chain: expected exclude-self or include-self, got '"
              << chain << "'\n";
    return 2;
  }
  if (vm.count("synapse")) {
    run.rejected = mx::RejectedEventPolicy::kSkip;
    run.power_closure = mx::PowerClosure::kConflictedPaths;
    run.auth_chain = mx::AuthChainConvention::kIncludeSelf;
  }
  const std::optional<nlohmann::json> read = read_json_file("stateres", path);
  if (!read) return 2;
  const nlohmann::json& document = *read;
  std::vector<mx::CaseResult> results;
  try {
    results =
        mx::evaluate_cases(document, vm.count("case") ? std::optional(only) : std::nullopt, run);
  } catch (const mx::CaseFormatError& e) {
    std::cerr << "dmlssim stateres: " << path << ": " << e.what() << "\n";
    return 2;
  }
  std::size_t failed = 0;
  for (const auto& r : results)
    failed += r.passed() ? 0 : 1;
  if (format == "json") {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& r : results)
      out[r.name] = r.output;
    std::cout << (vm.count("case") ? results.front().output : out).dump() << "\n";
  } else {
    for (const auto& r : results) {
      std::cout << (r.passed() ? "pass  " : "FAIL  ") << r.name << "  (" << r.kind << ")\n";
      for (const auto& check : r.checks) {
        if (!check.passed) std::cout << "      " << check.what << ": " << check.detail << "\n";
      }
    }
    std::cout << results.size() - failed << " of " << results.size() << " cases pass\n";
  }
  return failed == 0 ? 0 : 1;
}

}  // namespace dmlssim::apps
