// Running the dmlssim binary from tests, as a user would from a shell.
#pragma once

#include <sys/wait.h>

#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
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

}  // namespace dmlssim::testing
