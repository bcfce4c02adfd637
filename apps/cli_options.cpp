#include "apps/cli_options.hpp"

#include "scenarios/scenario_loader.hpp"

#include <fstream>
#include <sstream>

#include "generated/build_info.hpp"

namespace dmlssim::apps {

bool parse_options(const std::vector<std::string>& args, const po::options_description& options,
                   const po::positional_options_description& positional, po::variables_map& vm,
                   const std::string& usage, int& exit_code, const std::string& missing) {
  try {
    po::store(po::command_line_parser(args).options(options).positional(positional).run(), vm);
    if (vm.count("help")) {
      std::cout << usage << "\n" << options;
      exit_code = 0;
      return false;
    }
    if (vm.count("version")) {
      std::cout << "dmlssim " << build_info::kVersion << " (" << build_info::kRevision << ")\n";
      exit_code = 0;
      return false;
    }
    po::notify(vm);
  } catch (const po::required_option&) {
    std::cerr << "dmlssim: missing " << missing << "\n\n" << usage << "\n" << options;
    exit_code = 2;
    return false;
  } catch (const po::error& e) {
    std::cerr << "dmlssim: " << e.what() << "\n\n" << usage << "\n" << options;
    exit_code = 2;
    return false;
  }
  return true;
}

std::optional<std::uint64_t> whole_number_option(const std::string& command,
                                                 const std::string& option, const std::string& text,
                                                 std::uint64_t min, std::uint64_t max) {
  std::uint64_t value = 0;
  bool ok = !text.empty() && text.size() <= 20;
  for (const char c : text) {
    if (c < '0' || c > '9') {
      ok = false;
      break;
    }
    const std::uint64_t digit = static_cast<std::uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) {
      ok = false;
      break;
    }
    value = value * 10 + digit;
  }
  if (!ok || value < min || value > max) {
    std::cerr << "dmlssim " << command << ": " << option << ": '" << text
              << "' is not a whole number from " << min << " to " << max << "\n";
    return std::nullopt;
  }
  return value;
}

namespace {

// "L:C" (line, column) of a byte offset in `text`; nlohmann reports parse errors by byte.
std::string position_of(const std::string& text, std::size_t byte) {
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return std::to_string(line) + ":" + std::to_string(column);
}

}  // namespace

std::optional<nlohmann::json> read_json_file(const std::string& command, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "dmlssim " << command << ": " << path << ": cannot open\n";
    return std::nullopt;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    const std::string position = position_of(text, e.byte > 0 ? e.byte - 1 : 0);
    if (std::string(e.what()).find("expected end of input") != std::string::npos) {
      // A whole value, then more: JSON lines (NDJSON), such as a run's room-0.ndjson.
      std::cerr << "dmlssim " << command << ": " << path << ":" << position
                << ": a second JSON value starts here; the file holds JSON lines (NDJSON, like "
                   "room-0.ndjson), but this command reads one JSON document\n";
      return std::nullopt;
    }
    std::string why = e.what();
    if (const auto end = why.find("] "); why.rfind("[json.", 0) == 0 && end != std::string::npos)
      why = why.substr(end + 2);
    std::cerr << "dmlssim " << command << ": " << path << ":" << position << ": not valid JSON ("
              << why << ")\n";
    return std::nullopt;
  }
}

bool seed_and_runs_overrides(const std::string& command, const po::variables_map& vm,
                             const std::string& seed_text, const std::string& runs_text,
                             std::vector<std::string>& overrides) {
  if (vm.count("seed")) {
    const auto seed = whole_number_option(command, "--seed", seed_text, 0, scenarios::kMaxSeed);
    if (!seed) return false;
    overrides.push_back("seed=" + std::to_string(*seed));
  }
  if (vm.count("runs")) {
    const auto runs = whole_number_option(command, "--runs", runs_text, 1, scenarios::kMaxRuns);
    if (!runs) return false;
    overrides.push_back("runs=" + std::to_string(*runs));
  }
  return true;
}

}  // namespace dmlssim::apps
