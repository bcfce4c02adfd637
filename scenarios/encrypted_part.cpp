#include "scenarios/encrypted_part.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>

#include "scenarios/encrypted_run.hpp"
#include "scenarios/matrix_part.hpp"
#include "scenarios/room_users.hpp"
#include "scenarios/section_reading.hpp"
#include "scenarios/units.hpp"

namespace dmlssim::scenarios {
namespace {

namespace dev = models::device;
namespace mls = models::mls;

// A duration-valued key (clients.sync_latency, online_time, ...): a duration (constant),
// exponential(mean=D), lognormal(median=D, sigma=S)
// or uniform(min=D, max=D); in seconds.
sim::Distribution duration_distribution_from(const YamlReader& reader, const YAML::Node& node,
                                             const std::string& key) {
  const std::string text = reader.scalar(node, key);
  if (text.find('(') == std::string::npos) {
    return sim::Distribution::constant(reader.duration(node, key, sim::SimTime()).seconds());
  }
  const Call call = reader.parsed<Call>(node, key, parse_call);
  std::map<std::string, std::string> args(call.args.begin(), call.args.end());
  auto take = [&](const std::vector<std::string>& names) {
    for (const auto& [name, value] : args) {
      if (std::find(names.begin(), names.end(), name) == names.end())
        reader.fail(node, key, call.name + " has no argument '" + name + "'");
    }
    for (const std::string& name : names) {
      if (args.count(name) == 0) reader.fail(node, key, call.name + " needs " + name + "=");
    }
  };
  auto seconds = [&](const std::string& name) {
    try {
      return sim::parse_duration(args.at(name)).seconds();
    } catch (const std::invalid_argument& e) {
      reader.fail(node, key, name + ": " + e.what());
    }
  };
  if (call.name == "exponential") {
    take({"mean"});
    if (seconds("mean") <= 0) reader.fail(node, key, "mean must be > 0");
    return sim::Distribution::exponential(seconds("mean"));
  }
  if (call.name == "lognormal") {
    take({"median", "sigma"});
    double sigma = 0;
    try {
      sigma = parse_number(args.at("sigma"));
    } catch (const std::invalid_argument& e) {
      reader.fail(node, key, std::string("sigma: ") + e.what());
    }
    if (seconds("median") <= 0) reader.fail(node, key, "median must be > 0");
    if (sigma < 0 || sigma > 5) reader.fail(node, key, "sigma must be in [0, 5]");
    return sim::Distribution::lognormal(std::log(seconds("median")), sigma);
  }
  if (call.name == "uniform") {
    take({"min", "max"});
    if (seconds("min") > seconds("max")) reader.fail(node, key, "min is above max");
    return sim::Distribution::uniform(seconds("min"), seconds("max"));
  }
  reader.fail(node, key,
              "unknown distribution '" + call.name +
                  "' (a duration, exponential(mean=D), lognormal(median=D, sigma=S), "
                  "uniform(min=D, max=D))");
}

// room.devices_per_user: a count, or uniform(min=A, max=B) drawn per user (1 <= A <= B <= 64).
void devices_per_user_from(const YamlReader& reader, const YAML::Node& node,
                           dev::EncryptedRoomConfig& room) {
  const std::string key = "room.devices_per_user";
  const std::string text = reader.scalar(node, key);
  if (text.find('(') == std::string::npos) {
    room.devices_per_user = static_cast<std::uint32_t>(reader.integer(node, key, 1, 64));
    return;
  }
  const Call call = reader.parsed<Call>(node, key, parse_call);
  if (call.name != "uniform")
    reader.fail(node, key, "expected a count or uniform(min=A, max=B), not " + call.name + "()");
  std::map<std::string, std::string> args(call.args.begin(), call.args.end());
  for (const auto& [name, value] : args) {
    if (name != "min" && name != "max")
      reader.fail(node, key, "uniform has no argument '" + name + "'");
  }
  auto bound = [&](const char* name) -> std::uint32_t {
    const auto it = args.find(name);
    if (it == args.end()) reader.fail(node, key, std::string("uniform needs ") + name + "=");
    const std::string& v = it->second;
    if (v.empty() || v.size() > 2 || !std::all_of(v.begin(), v.end(), ::isdigit) ||
        std::stoi(v) < 1 || std::stoi(v) > 64) {
      reader.fail(node, key, std::string(name) + " must be a whole number of devices in [1, 64]");
    }
    return static_cast<std::uint32_t>(std::stoi(v));
  };
  room.devices_per_user = bound("min");
  room.devices_per_user_max = bound("max");
  if (room.devices_per_user > room.devices_per_user_max) reader.fail(node, key, "min is above max");
}

}  // namespace

std::vector<ParamInfo> EncryptedPart::params() const {
  // The model's defaults: EncryptedRoomConfig, GroupConfig, SecretTreeLimits.
  const dev::EncryptedRoomConfig room;
  const mls::SecretTreeLimits limits;
  return {
      {"room.devices_per_user", "integer | uniform(min=A, max=B)",
       std::to_string(room.devices_per_user), "devices",
       "Devices of every user (encrypted rooms), @uN:sM/D0..; each runs MLS. uniform(min, max): "
       "drawn per user (whole numbers, 1-64)."},
      {"workload.key_updates", "rate", "0", "per device",
       "Post-compromise-security updates: each device commits an update (an empty commit with a "
       "path) at this rate, when online and in the group (encrypted rooms)."},
      {"clients.sync_latency", "duration | distribution", "50ms", "time",
       "One-way delay of the client-server hop: a duration, exponential(mean=D), "
       "lognormal(median=D, sigma=S) or uniform(min=D, max=D)."},
      {"clients.online", "string", "always", "",
       "When devices are online: always, or sessions (each device alternates online and offline "
       "periods drawn from clients.online_time and clients.offline_time; it starts online with "
       "probability E[online] / (E[online] + E[offline]))."},
      {"clients.online_time", "duration | distribution", "exponential(mean=8h)", "time",
       "Length of an online period (clients.online: sessions)."},
      {"clients.offline_time", "duration | distribution", "exponential(mean=16h)", "time",
       "Length of an offline period (clients.online: sessions), e.g. a phone asleep overnight."},
      {"mls.crypto", "string", "real", "",
       "real: OpenSSL (X25519, Ed25519, AES-128-GCM, HKDF) | fast: hash-based stand-ins with the "
       "same byte sizes."},
      {"mls.handshake", "string", "public", "",
       "Commits as PublicMessage (servers can police membership, as Linearized Matrix requires) "
       "or private (PrivateMessage)."},
      {"mls.plaintext_bytes", "integer", std::to_string(room.plaintext_bytes), "bytes",
       "Plaintext size of every application message."},
      {"mls.key_packages", "integer", std::to_string(room.key_packages), "KeyPackages",
       "KeyPackages each device keeps on its server, plus one last resort reused when they run "
       "out; a claimed one is replaced by an upload while the device is online."},
      {"mls.max_past_epochs", "integer", "0", "epochs",
       "Earlier epochs whose message keys a device keeps (OpenMLS max_past_epochs)."},
      {"mls.out_of_order_tolerance", "integer", std::to_string(limits.out_of_order_tolerance),
       "keys", "Skipped ratchet keys kept per sender (RFC 9420 §9.2)."},
      {"mls.maximum_forward_distance", "integer", std::to_string(limits.maximum_forward_distance),
       "generations", "How far a message may jump ahead in a sender's ratchet."},
      {"metrics.per_reader", "bool", "false", "",
       "Encrypted rooms: also write reader_outcomes.csv, a row per (message, expected reader) "
       "and per unauthorized read (large rooms: messages x devices rows)."},
      {"metrics.device_epochs", "bool", "false", "",
       "Encrypted rooms: also write device_epochs.csv, a row per change of a device's epoch "
       "(large rooms: devices x commits rows)."},
  };
}

std::shared_ptr<const PartSetup> EncryptedPart::read(const YamlReader& reader,
                                                     const YAML::Node& root,
                                                     const Scenario& scenario) const {
  const YAML::Node room = root["room"], workload = root["workload"];
  const YAML::Node clients = root["clients"], mls_section = root["mls"];
  const YAML::Node metrics = root["metrics"];
  const YAML::Node faults = root["faults"];
  std::vector<std::pair<YAML::Node, std::string>> compromise_nodes;  // (entry, "faults[i]")
  if (faults && faults.IsSequence()) {
    for (std::size_t i = 0; i < faults.size(); ++i) {
      if (faults[i].IsMap() && faults[i]["compromise"])
        compromise_nodes.emplace_back(faults[i], "faults[" + std::to_string(i) + "]");
    }
  }
  if (!scenario.encrypted()) {
    const char* why = "needs an encrypted strategy (strategy: mls_first_seen, ...)";
    for (const auto& [entry, key] : compromise_nodes)
      reader.fail(entry["compromise"], key + ".compromise", why);
    if (mls_section) reader.fail(mls_section, "mls", why);
    if (clients) reader.fail(clients, "clients", why);
    if (room && room.IsMap() && room["devices_per_user"])
      reader.fail(room["devices_per_user"], "room.devices_per_user", why);
    if (workload && workload.IsMap() && workload["key_updates"])
      reader.fail(workload["key_updates"], "workload.key_updates", why);
    if (metrics && metrics.IsMap() && metrics["per_reader"])
      reader.fail(metrics["per_reader"], "metrics.per_reader", why);
    if (metrics && metrics.IsMap() && metrics["device_epochs"])
      reader.fail(metrics["device_epochs"], "metrics.device_epochs", why);
    return nullptr;
  }
  if (!room) reader.fail(root["strategy"], "strategy", "an encrypted strategy needs a room:");
  auto setup = std::make_shared<EncryptedSetup>();
  EncryptedSetup& e = *setup;
  devices_per_user_from(reader, value_or_default(reader, room, "room.devices_per_user"), e.room);
  e.key_updates_per_device =
      reader.parsed<double>(value_or_default(reader, workload, "workload.key_updates"),
                            "workload.key_updates", parse_rate);
  if (clients) reader.expect_map(clients, "clients", allowed_keys(reader, "clients"));
  e.sync_latency = duration_distribution_from(
      reader, value_or_default(reader, clients, "clients.sync_latency"), "clients.sync_latency");
  const YAML::Node online = value_or_default(reader, clients, "clients.online");
  const std::string online_rule = reader.string(online, "clients.online");
  if (online_rule != "always" && online_rule != "sessions")
    reader.fail(online, "clients.online", "expected always or sessions");
  e.sessions = online_rule == "sessions";
  for (const char* key : {"online_time", "offline_time"}) {
    if (!e.sessions && clients && clients.IsMap() && clients[key])
      reader.fail(clients[key], std::string("clients.") + key, "needs clients.online: sessions");
  }
  if (e.sessions) {
    e.online_time = duration_distribution_from(
        reader, value_or_default(reader, clients, "clients.online_time"), "clients.online_time");
    e.offline_time = duration_distribution_from(
        reader, value_or_default(reader, clients, "clients.offline_time"), "clients.offline_time");
    if (e.online_time.mean() <= 0 || e.offline_time.mean() <= 0)
      reader.fail(online, "clients.online", "online and offline periods must last on average");
  }
  if (mls_section) reader.expect_map(mls_section, "mls", allowed_keys(reader, "mls"));
  const YAML::Node crypto = value_or_default(reader, mls_section, "mls.crypto");
  e.crypto = reader.string(crypto, "mls.crypto");
  if (e.crypto == "real") {
    e.room.group.crypto = &mls::real_crypto();
  } else if (e.crypto == "fast") {
    e.room.group.crypto = &mls::fast_crypto();
  } else {
    reader.fail(crypto, "mls.crypto", "expected real or fast");
  }
  const YAML::Node handshake = value_or_default(reader, mls_section, "mls.handshake");
  const std::string hs = reader.string(handshake, "mls.handshake");
  if (hs != "public" && hs != "private")
    reader.fail(handshake, "mls.handshake", "expected public or private");
  e.room.group.private_handshake = hs == "private";
  // A rejoining device gets the ratchet tree from its server, which derives it from public
  // commits: with private ones it has none to give.
  const consensus::StrategyParams& strategy = scenario.strategy_params;
  if (e.room.group.private_handshake && strategy.has("rejoin_after") &&
      strategy.duration("rejoin_after") > sim::SimTime{}) {
    reader.fail(handshake, "mls.handshake",
                "private commits hide the ratchet tree from the servers, and a rejoining device "
                "gets it from its server: " +
                    strategy.canonical() + " needs mls.handshake: public");
  }
  e.room.plaintext_bytes = static_cast<std::uint32_t>(
      reader.integer(value_or_default(reader, mls_section, "mls.plaintext_bytes"),
                     "mls.plaintext_bytes", 1, 60000));
  e.room.key_packages = static_cast<std::uint32_t>(reader.integer(
      value_or_default(reader, mls_section, "mls.key_packages"), "mls.key_packages", 0, 1000));
  e.room.group.max_past_epochs = static_cast<std::uint32_t>(
      reader.integer(value_or_default(reader, mls_section, "mls.max_past_epochs"),
                     "mls.max_past_epochs", 0, 1000));
  e.room.group.limits.out_of_order_tolerance = static_cast<std::uint32_t>(
      reader.integer(value_or_default(reader, mls_section, "mls.out_of_order_tolerance"),
                     "mls.out_of_order_tolerance", 0, 100000));
  e.room.group.limits.maximum_forward_distance = static_cast<std::uint32_t>(
      reader.integer(value_or_default(reader, mls_section, "mls.maximum_forward_distance"),
                     "mls.maximum_forward_distance", 0, 1000000));
  e.per_reader =
      reader.boolean(value_or_default(reader, metrics, "metrics.per_reader"), "metrics.per_reader");
  e.device_epochs = reader.boolean(value_or_default(reader, metrics, "metrics.device_epochs"),
                                   "metrics.device_epochs");
  const auto* matrix = scenario.setup<MatrixSetup>();
  for (const auto& [entry, entry_key] : compromise_nodes) {
    const YAML::Node node = entry["compromise"];
    const std::string key = entry_key + ".compromise";
    EncryptedSetup::Compromise c;
    c.at = reader.duration(entry["at"], entry_key + ".at", sim::SimTime());
    c.device = reader.string(node, key);
    const auto parsed = room_device(c.device, matrix->room);
    const std::uint32_t most = std::max(e.room.devices_per_user, e.room.devices_per_user_max);
    if (!parsed || parsed->second >= most) {
      reader.fail(node, key,
                  "'" + c.device + "' is not a device of the room (@u<i>:s<n>/D<k>, k below " +
                      std::to_string(most) + ")");
    }
    c.user = parsed->first;
    c.k = parsed->second;
    e.compromises.push_back(c);
  }
  return setup;
}

std::unique_ptr<PartRun> EncryptedPart::start(const RunContext& context,
                                              const PartSetup& setup) const {
  return std::make_unique<EncryptedRun>(context, static_cast<const EncryptedSetup&>(setup));
}

}  // namespace dmlssim::scenarios
