// dmlssim: the command-line front door. See README.md and `dmlssim --help`.
#include <iostream>
#include <string>
#include <vector>

#include "apps/commands.hpp"
#include "apps/huge_pages.hpp"
#include "generated/build_info.hpp"

namespace {

constexpr const char* kUsage = R"(usage: dmlssim <command> [options]

Discrete-event simulator of Matrix rooms with MLS / DMLS groups under server outages.

commands:
  run SCENARIO        run a scenario and write one result directory per run
  compare SCENARIO    run every strategy over the same replications; compare.csv and a table
  validate SCENARIO   check a scenario file and print its resolved form
  list params         every tunable: key, type, default, unit, help
  list presets        the named latency matrices
  list strategies     the strategies and fork-choice rules, with their parameters
  stateres FILE       evaluate state-resolution test cases (matrix-stateres-cases/1)
  mls-vectors PATH... run MLS / HPKE interoperability test-vector files

options:
  -h, --help          show this help (also after a command: dmlssim run --help)
  --version           show the version and source revision
)";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version") {
    std::cout << "dmlssim " << dmlssim::build_info::kVersion << " ("
              << dmlssim::build_info::kRevision << ")\n";
    return 0;
  }
  const std::string command = args[0];
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (command == "run" || command == "compare") dmlssim::apps::restart_with_huge_pages(argv);
  if (command == "run") return dmlssim::apps::command_run(rest);
  if (command == "compare") return dmlssim::apps::command_compare(rest);
  if (command == "validate") return dmlssim::apps::command_validate(rest);
  if (command == "list") return dmlssim::apps::command_list(rest);
  if (command == "stateres") return dmlssim::apps::command_stateres(rest);
  if (command == "mls-vectors") return dmlssim::apps::command_mls_vectors(rest);
  std::cerr << "dmlssim: unknown command '" << command << "'\n\n" << kUsage;
  return 2;
}
