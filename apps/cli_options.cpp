#include "apps/cli_options.hpp"

#include <fstream>
#include <sstream>

#include "generated/build_info.hpp"

namespace dmlssim::apps {

bool parse_options(const std::vector<std::string>& args, const po::options_description& options,
                   const po::positional_options_description& positional, po::variables_map& vm,
                   const std::string& usage, int& exit_code) {
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
  } catch (const po::error& e) {
    std::cerr << "dmlssim: " << e.what() << "\n\n" << usage << "\n" << options;
    exit_code = 2;
    return false;
  }
  return true;
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
    std::cerr << "dmlssim " << command << ": " << path << ":"
              << position_of(text, e.byte > 0 ? e.byte - 1 : 0) << ": not valid JSON (" << e.what()
              << ")\n";
    return std::nullopt;
  }
}

}  // namespace dmlssim::apps
