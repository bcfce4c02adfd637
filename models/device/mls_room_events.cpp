#include "models/device/mls_room_events.hpp"

#include <string_view>

#include "models/matrix/base64.hpp"

namespace dmlssim::models::device {
namespace {

std::string base64(const mls::Bytes& bytes) {
  return matrix::unpadded_base64(
      std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

}  // namespace

nlohmann::json commit_content(const mls::Bytes& mls_message, std::uint64_t epoch,
                              const std::string& prev_commit_event_id, const mls::Bytes& group_info,
                              const std::vector<mls::Bytes>& resolves) {
  nlohmann::json content = {
      {"algorithm", kMlsAlgorithm}, {"message", base64(mls_message)}, {"epoch", epoch}};
  if (!prev_commit_event_id.empty()) content["prev_commit_event_id"] = prev_commit_event_id;
  if (!group_info.empty()) content["group_info"] = base64(group_info);
  if (!resolves.empty()) {
    nlohmann::json list = nlohmann::json::array();
    for (const mls::Bytes& epoch_id : resolves)
      list.push_back(base64(epoch_id));
    content["resolves"] = std::move(list);
  }
  return content;
}

nlohmann::json encrypted_content(const mls::Bytes& private_message,
                                 const std::string& commit_event_id) {
  nlohmann::json content = {{"algorithm", kMlsAlgorithm}, {"ciphertext", base64(private_message)}};
  if (!commit_event_id.empty()) content["commit_event_id"] = commit_event_id;
  return content;
}

}  // namespace dmlssim::models::device
