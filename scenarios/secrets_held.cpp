#include "scenarios/secrets_held.hpp"

#include <algorithm>

namespace dmlssim::scenarios {

namespace dev = models::device;
namespace mls = models::mls;

namespace {

std::uint64_t total(const mls::Group::HeldBytes& b) {
  return b.tree_private_keys + b.successor_init + b.message_keys;
}

}  // namespace

void write_secrets_held(const dev::EncryptedRoom& room, sim::MetricsRecorder& recorder,
                        nlohmann::json& e2ee, std::vector<SummaryMetric>& metrics) {
  sim::Table& table = recorder.table(
      "device_secrets", {"device", "epochs_held", "held_bytes", "retained_tree_private_key_bytes",
                         "retained_successor_init_bytes", "retained_message_key_bytes",
                         "exposure_tree_private_keys_byte_s", "exposure_successor_init_byte_s",
                         "exposure_message_keys_byte_s"});
  std::uint64_t devices = 0, held_sum = 0, held_max = 0, retained_sum = 0, retained_max = 0;
  double exposure[3] = {0, 0, 0};
  for (dev::DeviceIndex d = 0; d < room.device_count(); ++d) {
    const mls::Group* g = room.group(d);
    const models::dmls::EpochTree* tree = room.tree(d);
    if (g == nullptr && tree == nullptr) continue;  // holds nothing of the group
    ++devices;
    mls::Group::HeldBytes retained;
    models::dmls::Exposure exposed;
    std::uint64_t epochs = 1;
    if (tree != nullptr) {
      retained = tree->retained_beyond_rfc();
      exposed = tree->exposure();
      epochs = tree->held_epochs().size();
    }
    // What the device holds now: the epoch it sends on, and the superseded epochs it retains.
    const std::uint64_t held = (g != nullptr ? total(g->held_bytes()) : 0) + total(retained);
    held_sum += held;
    held_max = std::max(held_max, held);
    retained_sum += total(retained);
    retained_max = std::max(retained_max, total(retained));
    exposure[0] += exposed.tree_private_keys;
    exposure[1] += exposed.successor_init;
    exposure[2] += exposed.message_keys;
    table.add_row({room.device(d).name(), static_cast<std::int64_t>(epochs),
                   static_cast<std::int64_t>(held),
                   static_cast<std::int64_t>(retained.tree_private_keys),
                   static_cast<std::int64_t>(retained.successor_init),
                   static_cast<std::int64_t>(retained.message_keys), exposed.tree_private_keys,
                   exposed.successor_init, exposed.message_keys});
  }
  e2ee["secrets"] = {
      {"devices", devices},
      {"held_bytes_total", held_sum},
      {"held_bytes_max", held_max},
      {"retained_beyond_rfc_bytes_total", retained_sum},
      {"retained_beyond_rfc_bytes_max", retained_max},
      {"exposure_tree_private_keys_byte_s", exposure[0]},
      {"exposure_successor_init_byte_s", exposure[1]},
      {"exposure_message_keys_byte_s", exposure[2]},
  };
  const auto mean = [&](double sum) -> SummaryMetric::Value {
    if (devices == 0) return std::monostate{};
    return sum / static_cast<double>(devices);
  };
  SummaryMetric held{"e2ee_secrets_held_bytes_mean", "secrets held per device at end (B)",
                     MetricUnit::kBytes, mean(static_cast<double>(held_sum))};
  held.applies = devices > 0;
  metrics.push_back(held);
  SummaryMetric retained{"e2ee_retained_beyond_rfc_bytes_mean", "secrets kept beyond RFC 9420 (B)",
                         MetricUnit::kBytes, mean(static_cast<double>(retained_sum))};
  retained.applies = devices > 0;
  metrics.push_back(retained);
  SummaryMetric exposed{"e2ee_fs_exposure_byte_s_mean", "FS exposure per device (B*s)",
                        MetricUnit::kByteSeconds, mean(exposure[0] + exposure[1] + exposure[2])};
  exposed.applies = devices > 0;
  metrics.push_back(exposed);
}

}  // namespace dmlssim::scenarios
