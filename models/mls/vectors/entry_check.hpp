// Helpers of the vector runners: hex fields, and an entry that collects every mismatch.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/mls/bytes.hpp"
#include "models/mls/vectors/vector_runner.hpp"

namespace dmlssim::models::mls::vectors {

inline Bytes hex_of(const nlohmann::json& v) {
  return from_hex(v.get<std::string>());
}

class EntryCheck {
 public:
  EntryCheck(std::size_t index, VectorResult& out) : index_(index), out_(out) {}
  void expect(bool ok, const std::string& what) {
    if (!ok) problems_.push_back(what);
  }
  // Records the entry as passed or failed.
  void finish() {
    if (problems_.empty()) {
      out_.pass();
      return;
    }
    std::string why = problems_.front();
    if (problems_.size() > 1) why += " (+" + std::to_string(problems_.size() - 1) + " more)";
    out_.fail(index_, why);
  }

 private:
  std::size_t index_;
  VectorResult& out_;
  std::vector<std::string> problems_;
};

// Entries of another MLS cipher suite are skipped; true when `v` is one.
inline bool skip_other_suite(const nlohmann::json& v, VectorResult& out) {
  if (v.contains("cipher_suite") && v.at("cipher_suite").get<int>() != 1) {
    ++out.skipped;
    return true;
  }
  return false;
}

}  // namespace dmlssim::models::mls::vectors
