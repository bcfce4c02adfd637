// Shared pieces of the subcommands' option parsing (Boost.Program_options).
#pragma once

#include <boost/program_options.hpp>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace dmlssim::apps {

namespace po = boost::program_options;

// Parses `args` against `options`, with `positional` names in order. Returns false and prints the
// reason (exit code 2) on a usage error; prints help and returns false (exit code 0) for --help.
// A required positional argument left out is named as the usage names it (`missing`, e.g.
// "SCENARIO"), never by the parser's internal option name.
bool parse_options(const std::vector<std::string>& args, const po::options_description& options,
                   const po::positional_options_description& positional, po::variables_map& vm,
                   const std::string& usage, int& exit_code, const std::string& missing);

// A whole number option as the user typed it (`text`), within [min, max]; otherwise prints
// "dmlssim COMMAND: OPTION: 'TEXT' is not a whole number from MIN to MAX" and returns nullopt.
std::optional<std::uint64_t> whole_number_option(const std::string& command,
                                                 const std::string& option, const std::string& text,
                                                 std::uint64_t min, std::uint64_t max);

// --seed and --runs as the user typed them (when given, `vm`), checked and turned into scenario
// overrides appended to `overrides`; false (a message printed) when one is out of range.
bool seed_and_runs_overrides(const std::string& command, const po::variables_map& vm,
                             const std::string& seed_text, const std::string& runs_text,
                             std::vector<std::string>& overrides);

// The JSON document in `path`; on failure prints "dmlssim COMMAND: PATH: cannot open" or
// "dmlssim COMMAND: PATH:LINE:COLUMN: not valid JSON (...)" and returns nullopt.
std::optional<nlohmann::json> read_json_file(const std::string& command, const std::string& path);

}  // namespace dmlssim::apps
