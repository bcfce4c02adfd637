// Running the dmlssim binary from tests, as a user would from a shell.
#pragma once

#include <sys/wait.h>

#include <unistd.h>

#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace dmlssim::testing {

struct CliOutput {
  int code;         // exit status; -1 if the process did not exit normally
  std::string out;  // stdout, and stderr too unless asked otherwise
};

// With `background_args`, the binary runs those arguments in the background of a shell and
// `args` is the shell text that follows ("& pid=$!; ...").
inline CliOutput run_cli(const std::string& args, bool with_stderr = true,
                         const std::string& background_args = "") {
  const std::string cmd =
      background_args.empty()
          ? std::string(DMLSSIM_EXE) + " " + args + (with_stderr ? " 2>&1" : "")
          : "sh -c '" + std::string(DMLSSIM_EXE) + " " + background_args + " 2>&1 " + args + "'";
  FILE* pipe = popen(cmd.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  std::array<char, 4096> buf;
  while (std::size_t n = fread(buf.data(), 1, buf.size(), pipe))
    out.append(buf.data(), n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

// Runs scenarios/encrypted-netsplit.yaml once with `variable` unset and once set to "0", and
// checks that every file of the run but its manifest (wall-clock times) is the same.
inline void check_same_run_with_and_without(const char* variable) {
  namespace fs = std::filesystem;
  const fs::path out = fs::temp_directory_path() / ("dmlssim-env-" + std::to_string(::getpid()));
  const std::string cmd = "run " + std::string(DMLSSIM_SOURCE_DIR) +
                          "/scenarios/encrypted-netsplit.yaml --runs 1 --quiet --force --out ";
  ::unsetenv(variable);
  REQUIRE(run_cli(cmd + (out / "on").string()).code == 0);
  ::setenv(variable, "0", 1);
  REQUIRE(run_cli(cmd + (out / "off").string()).code == 0);
  ::unsetenv(variable);
  const auto slurp = [](const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  };
  int compared = 0;
  for (const fs::directory_entry& on : fs::directory_iterator(out / "on" / "run-0000")) {
    const std::string file = on.path().filename().string();
    if (file == "manifest.json") continue;  // wall-clock times
    INFO(file);
    CHECK(slurp(on.path()) == slurp(out / "off" / "run-0000" / file));
    ++compared;
  }
  CHECK(compared > 10);
  fs::remove_all(out);
}

}  // namespace dmlssim::testing
