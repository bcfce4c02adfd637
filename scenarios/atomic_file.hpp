// Writing results so that nothing partial ever looks complete: a file is written under a
// temporary name in the same directory and renamed into place once it is whole.
#pragma once

#include <filesystem>
#include <string>

namespace dmlssim::scenarios {

// Writes `content` to `path`, replacing it. Throws std::runtime_error naming the path on failure.
// Use inside a directory that is itself renamed into place when complete.
void write_file(const std::filesystem::path& path, const std::string& content);

// Writes `content` to `path` atomically (temporary file + rename). Throws std::runtime_error
// naming the path on failure.
void write_file_atomically(const std::filesystem::path& path, const std::string& content);

}  // namespace dmlssim::scenarios
