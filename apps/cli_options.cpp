#include "apps/cli_options.hpp"

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

}  // namespace dmlssim::apps
