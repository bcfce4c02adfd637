// The dmlssim subcommands. Each takes the arguments after its name and returns the exit code:
// 0 success, 1 the run failed, 2 bad usage or bad input (the message names file, line and key).
#pragma once

#include <string>
#include <vector>

namespace dmlssim::apps {

int command_run(const std::vector<std::string>& args);
int command_compare(const std::vector<std::string>& args);
int command_validate(const std::vector<std::string>& args);
int command_list(const std::vector<std::string>& args);
int command_stateres(const std::vector<std::string>& args);
int command_mls_vectors(const std::vector<std::string>& args);

}  // namespace dmlssim::apps
