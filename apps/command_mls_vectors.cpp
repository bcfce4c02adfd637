// `mls-vectors`: run MLS (mlswg/mls-implementations) and HPKE (RFC 9180) test-vector files.
#include <fstream>
#include <iostream>
#include <sstream>

#include "apps/cli_options.hpp"
#include "apps/commands.hpp"
#include "models/mls/vectors/vector_runner.hpp"

namespace dmlssim::apps {

namespace vectors = models::mls::vectors;

int command_mls_vectors(const std::vector<std::string>& args) {
  po::options_description options("mls-vectors options");
  std::vector<std::string> paths;
  std::string kind_name;
  options.add_options()("help,h", "show this help")("version", "show the version")(
      "file", po::value(&paths)->required(), "test-vector files (JSON)")(
      "kind", po::value(&kind_name),
      "the kind of every file, instead of reading it from the file name");
  po::positional_options_description positional;
  positional.add("file", -1);
  po::variables_map vm;
  int code = 0;
  const std::string usage =
      "usage: dmlssim mls-vectors PATH... [--kind KIND]\n\n"
      "Runs each test-vector file and prints one line per file: its kind, passed, failed and\n"
      "skipped (other cipher suites) entries, then the first failures. The kind comes from the\n"
      "file name as in mlswg/mls-implementations: tree-math, crypto-basics, secret-tree,\n"
      "key-schedule, psk_secret, message-protection, transcript-hashes, welcome,\n"
      "tree-operations, tree-validation, treekem, messages, deserialization, passive-client-*\n"
      "(welcome, handling-commit, random); hpke* / rfc9180* / test-vectors for RFC 9180.\n"
      "Exit status 0 when every entry passes, 1 when any fails, 2 for a file that cannot be read\n"
      "or whose kind is unknown, or whose entries are not of its kind.";
  if (!parse_options(args, options, positional, vm, usage, code, "PATH (a test-vector file)"))
    return code;
  std::optional<vectors::VectorKind> forced;
  if (vm.count("kind")) {
    forced = vectors::vector_kind_of(kind_name + ".json");
    if (!forced) {
      std::cerr << "dmlssim mls-vectors: --kind: unknown kind '" << kind_name << "'\n";
      return 2;
    }
  }
  bool any_failed = false, bad_input = false;
  for (const std::string& path : paths) {
    const auto kind = forced ? forced : vectors::vector_kind_of(path);
    if (!kind) {
      std::cerr << "dmlssim mls-vectors: " << path
                << ": cannot tell the kind from the file name (use --kind)\n";
      bad_input = true;
      continue;
    }
    const std::optional<nlohmann::json> document = read_json_file("mls-vectors", path);
    if (!document) {
      bad_input = true;
      continue;
    }
    const vectors::VectorResult r = vectors::run_vectors(*kind, *document);
    if (r.malformed > 0) {
      std::cerr << "dmlssim mls-vectors: " << path << ": " << r.malformed << " of "
                << (document->is_array() ? document->size() : 1) << " entries are not "
                << vectors::to_string(*kind) << " vectors (" << r.first_malformed << ")"
                << (forced ? "; is --kind right?" : "") << "\n";
      bad_input = true;
      continue;
    }
    std::cout << path << "  " << vectors::to_string(*kind) << "  passed " << r.passed << "  failed "
              << r.failed << "  skipped " << r.skipped << "\n";
    for (const std::string& f : r.failures)
      std::cout << "    " << f << "\n";
    any_failed = any_failed || r.failed > 0;
  }
  if (bad_input) return 2;
  return any_failed ? 1 : 0;
}

}  // namespace dmlssim::apps
