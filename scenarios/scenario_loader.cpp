#include "scenarios/scenario_loader.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>
#include "scenarios/section_reading.hpp"

#include <filesystem>
#include <fstream>
#include <numeric>
#include <set>
#include <sstream>

#include "scenarios/catalog.hpp"
#include "scenarios/fault_parser.hpp"
#include "scenarios/latency_presets.hpp"
#include "scenarios/params.hpp"
#include "scenarios/units.hpp"
#include "scenarios/yaml_reader.hpp"

namespace dmlssim::scenarios {
namespace {

using sim::SimTime;

constexpr uint64_t kMaxServers = 1'000'000;

void apply_override(YAML::Node& root, const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw ScenarioError("--set " + text, "", "expected key.path=value");
  }
  const std::string path = text.substr(0, eq);
  YAML::Node value;
  try {
    value = YAML::Load(text.substr(eq + 1));
  } catch (const YAML::Exception& e) {
    throw ScenarioError("--set " + text, path, "value is not valid YAML: " + e.msg);
  }
  std::vector<std::string> parts;
  std::stringstream ss(path);
  for (std::string part; std::getline(ss, part, '.');) {
    if (part.empty()) throw ScenarioError("--set " + text, path, "empty key in path");
    parts.push_back(part);
  }
  YAML::Node cur = root;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    YAML::Node next;
    if (cur.IsSequence()) {
      std::size_t index = 0;
      try {
        index = std::stoul(parts[i]);
      } catch (const std::exception&) {
        throw ScenarioError("--set " + text, path,
                            "'" + parts[i] + "' indexes a list: use a number");
      }
      if (index >= cur.size())
        throw ScenarioError("--set " + text, path, "list index out of range");
      next = cur[index];
    } else {
      if (!cur[parts[i]] || cur[parts[i]].IsNull()) cur[parts[i]] = YAML::Node(YAML::NodeType::Map);
      next = cur[parts[i]];
    }
    if (!next.IsMap() && !next.IsSequence()) {
      throw ScenarioError("--set " + text, path, "'" + parts[i] + "' holds a value, not a section");
    }
    cur.reset(next);
  }
  if (cur.IsSequence()) {
    // An index: replaces that item; the list's length appends one (faults.1=... on one fault).
    const std::string& last = parts.back();
    if (last.empty() || last.size() > 6 ||
        last.find_first_not_of("0123456789") != std::string::npos) {
      throw ScenarioError("--set " + text, path, "'" + last + "' indexes a list: use a number");
    }
    const std::size_t index = std::stoul(last);
    if (value.IsNull()) {
      throw ScenarioError("--set " + text, path, "list items cannot be removed with null");
    }
    if (index > cur.size()) {
      throw ScenarioError("--set " + text, path,
                          "list index out of range: the list has " + std::to_string(cur.size()) +
                              " items; " + std::to_string(cur.size()) + " appends one");
    }
    if (index == cur.size()) {
      cur.push_back(value);
    } else {
      cur[index] = value;
    }
  } else if (value.IsNull()) {
    cur.remove(parts.back());  // key=null removes the key or section (its default applies)
  } else {
    cur[parts.back()] = value;
  }
}

sim::Distribution jitter_from(const YamlReader& reader, const YAML::Node& node,
                              const std::string& key, sim::JitterMode& mode) {
  const Call call = reader.parsed<Call>(node, key, parse_call);
  auto one_arg = [&](const std::string& name) -> std::string {
    if (call.args.size() != 1 || call.args[0].first != name) {
      reader.fail(node, key,
                  call.name + " takes exactly one argument: " + call.name + "(" + name + "=...)");
    }
    return call.args[0].second;
  };
  auto number = [&](const std::string& text) {
    try {
      return parse_number(text);
    } catch (const std::invalid_argument& e) {
      reader.fail(node, key, e.what());
    }
  };
  auto seconds = [&](const std::string& text) {
    try {
      return sim::parse_duration(text).seconds();
    } catch (const std::invalid_argument& e) {
      reader.fail(node, key, e.what());
    }
  };
  if (call.name == "none") {
    if (!call.args.empty()) reader.fail(node, key, "none takes no arguments");
    mode = sim::JitterMode::kNone;
    return sim::Distribution::constant(0);
  }
  if (call.name == "lognormal") {
    const double sigma = number(one_arg("sigma"));
    if (sigma < 0 || sigma > 5) reader.fail(node, key, "sigma must be in [0, 5]");
    mode = sim::JitterMode::kMultiplicative;
    return sim::Distribution::lognormal(0, sigma);
  }
  if (call.name == "uniform") {
    const double max = seconds(one_arg("max"));
    if (max < 0) reader.fail(node, key, "max must be >= 0");
    mode = sim::JitterMode::kAdditive;
    return sim::Distribution::uniform(0, max);
  }
  if (call.name == "exponential") {
    const double mean = seconds(one_arg("mean"));
    if (mean <= 0) reader.fail(node, key, "mean must be > 0");
    mode = sim::JitterMode::kAdditive;
    return sim::Distribution::exponential(mean);
  }
  reader.fail(node, key,
              "unknown jitter '" + call.name +
                  "' (none, lognormal(sigma=S), uniform(max=D), exponential(mean=D))");
}

void read_regions(const YamlReader& reader, const YAML::Node& topo, Topology& t) {
  auto& net = t.network;
  if (!topo["regions"]) {
    net.region_names = {"default"};
    net.region_of.assign(t.servers, 0);
    return;
  }
  const auto regions = reader.entries(topo["regions"], "topology.regions");
  if (regions.empty())
    reader.fail(topo["regions"], "topology.regions", "at least one region is needed");
  uint64_t total = 0;
  for (const auto& [name, name_key, count] : regions) {
    const std::string key = "topology.regions." + name;
    const bool valid =
        !name.empty() && name[0] >= 'a' && name[0] <= 'z' &&
        name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-") == std::string::npos;
    const bool looks_like_server = name.size() > 1 && name[0] == 's' &&
                                   name.find_first_not_of("0123456789", 1) == std::string::npos;
    if (!valid || looks_like_server || name == "all" || name == "rest") {
      reader.fail(count, key, "region names are lower-case words, not s<i>, all or rest");
    }
    const uint64_t n = reader.integer(count, key, 1, kMaxServers);
    net.region_names.push_back(name);
    for (uint64_t i = 0; i < n && net.region_of.size() <= kMaxServers; ++i) {
      net.region_of.push_back(static_cast<uint16_t>(net.region_names.size() - 1));
    }
    total += n;
  }
  if (total != t.servers && reader.overridden("topology.servers") &&
      !reader.overridden("topology.regions")) {
    reader.fail(topo["servers"], "topology.servers",
                "is " + std::to_string(t.servers) + " but the file's topology.regions add up to " +
                    std::to_string(total) +
                    ": set the regions too, e.g. --set 'topology.regions={" + net.region_names[0] +
                    ": " + std::to_string(t.servers) + "}'");
  }
  if (total != t.servers) {
    reader.fail(topo["regions"], "topology.regions",
                "region counts add up to " + std::to_string(total) + " but topology.servers is " +
                    std::to_string(t.servers));
  }
}

void read_latency(const YamlReader& reader, const YAML::Node& node, Topology& t) {
  auto& net = t.network;
  const std::string key = "topology.latency";
  const auto regions = static_cast<Eigen::Index>(net.region_names.size());
  net.latency_s = Eigen::MatrixXd::Constant(regions, regions, -1);
  if (node.IsScalar()) {
    const std::string text = node.Scalar();
    if (const LatencyPreset* preset = find_latency_preset(text)) {
      for (Eigen::Index a = 0; a < regions; ++a) {
        auto find = [&](const std::string& name) -> std::size_t {
          for (std::size_t i = 0; i < preset->regions.size(); ++i) {
            if (preset->regions[i] == name) return i;
          }
          std::string list;
          for (const auto& r : preset->regions)
            list += (list.empty() ? "" : ", ") + r;
          reader.fail(node, key,
                      "preset " + text + " has no region '" + name + "' (its regions: " + list +
                          "; name them in topology.regions)");
        };
        const std::size_t pa = find(net.region_names[static_cast<std::size_t>(a)]);
        for (Eigen::Index b = 0; b < regions; ++b) {
          const std::size_t pb = find(net.region_names[static_cast<std::size_t>(b)]);
          net.latency_s(a, b) = preset->one_way_ms[pa][pb] / 1000.0;
        }
      }
      return;
    }
    const SimTime d = reader.parsed<SimTime>(node, key, [&](const std::string& s) {
      try {
        return sim::parse_duration(s);
      } catch (const std::invalid_argument&) {
        std::string names;
        for (const auto& p : latency_presets())
          names += (names.empty() ? "" : ", ") + p.name;
        throw std::invalid_argument("'" + s + "' is neither a duration nor a latency preset (" +
                                    names + ")");
      }
    });
    if (d < SimTime()) reader.fail(node, key, "latency cannot be negative");
    net.latency_s.setConstant(d.seconds());
    return;
  }
  auto region_index = [&](const YAML::Node& where, const std::string& k, const std::string& name) {
    for (Eigen::Index i = 0; i < regions; ++i) {
      if (net.region_names[static_cast<std::size_t>(i)] == name) return i;
    }
    reader.fail(where, k, "unknown region '" + name + "'");
  };
  for (const auto& [from, from_key, row] : reader.entries(node, key)) {
    const Eigen::Index a = region_index(node, key + "." + from, from);
    for (const auto& [to, to_key, value] : reader.entries(row, key + "." + from)) {
      const std::string k = key + "." + from + "." + to;
      const Eigen::Index b = region_index(row, k, to);
      net.latency_s(a, b) = reader.duration(value, k, SimTime()).seconds();
    }
  }
  for (Eigen::Index a = 0; a < regions; ++a) {
    for (Eigen::Index b = 0; b < regions; ++b) {
      if (net.latency_s(a, b) < 0) net.latency_s(a, b) = net.latency_s(b, a);
      if (net.latency_s(a, b) < 0) {
        reader.fail(node, key,
                    "no latency between " + net.region_names[static_cast<std::size_t>(a)] +
                        " and " + net.region_names[static_cast<std::size_t>(b)]);
      }
    }
  }
}

Topology read_topology(const YamlReader& reader, const YAML::Node& topo) {
  if (!topo) reader.fail(topo, "topology", "required section is missing");
  reader.expect_map(topo, "topology", allowed_keys(reader, "topology"));
  Topology t;
  t.servers = static_cast<uint32_t>(reader.integer(
      value_or_default(reader, topo, "topology.servers"), "topology.servers", 1, kMaxServers));
  for (uint32_t i = 0; i < t.servers; ++i)
    t.server_names.push_back(std::string("s").append(std::to_string(i)));
  read_regions(reader, topo, t);
  read_latency(reader, value_or_default(reader, topo, "topology.latency"), t);
  auto& net = t.network;
  net.jitter = jitter_from(reader, value_or_default(reader, topo, "topology.jitter"),
                           "topology.jitter", net.jitter_mode);
  net.bandwidth_bps = reader.parsed<double>(value_or_default(reader, topo, "topology.bandwidth"),
                                            "topology.bandwidth", parse_bandwidth);
  net.loss = reader.parsed<double>(value_or_default(reader, topo, "topology.loss"), "topology.loss",
                                   parse_probability);
  net.connect_timeout = reader.duration(value_or_default(reader, topo, "topology.connect_timeout"),
                                        "topology.connect_timeout", sim::kMillisecond);
  net.request_timeout = reader.duration(value_or_default(reader, topo, "topology.request_timeout"),
                                        "topology.request_timeout", sim::kMillisecond);
  return t;
}

// Where a second YAML document starts, if there is one. (Not YAML::LoadAll: yaml-cpp 0.7's
// loops without end on some broken inputs; here the parser is asked for two documents at most.)
std::optional<YAML::Mark> second_document(const std::string& text) {
  struct DocumentStarts : YAML::EventHandler {
    std::vector<YAML::Mark> starts;
    void OnDocumentStart(const YAML::Mark& mark) override { starts.push_back(mark); }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  const std::string&) override {}
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                         YAML::EmitterStyle::value) override {}
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                    YAML::EmitterStyle::value) override {}
    void OnMapEnd() override {}
  };
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentStarts handler;
  for (int document = 0; document < 2 && parser.HandleNextDocument(handler); ++document) {
  }
  if (handler.starts.size() < 2) return std::nullopt;
  return handler.starts[1];
}

// The canonical tree: sections and keys in registry order, defaults filled in. A part's sections
// appear only when the scenario uses the part; the strategy only when the file names one (then in
// its canonical form, every parameter written).
YAML::Node build_resolved(const YAML::Node& root, const ParamTable& table, const Scenario& s,
                          const Catalog& catalog) {
  // Keys of unused parts are left out, also those they declare in other parts' sections.
  std::vector<std::string> unused_sections, unused_keys;
  for (const auto& part : catalog.parts.all()) {
    bool used = false;
    for (const PartUse& use : s.parts)
      used = used || use.part == part;
    if (used) continue;
    for (const ParamInfo& p : part->params())
      unused_keys.push_back(p.key);
    for (const std::string& section : part->sections())
      unused_sections.push_back(section);
  }
  YAML::Node out(YAML::NodeType::Map);
  for (const auto& p : table.all()) {
    if (p.key.find('[') != std::string::npos) continue;
    const auto dot = p.key.find('.');
    const std::string section = dot == std::string::npos ? "" : p.key.substr(0, dot);
    const std::string leaf = dot == std::string::npos ? p.key : p.key.substr(dot + 1);
    if (std::find(unused_sections.begin(), unused_sections.end(), section) !=
            unused_sections.end() ||
        std::find(unused_keys.begin(), unused_keys.end(), p.key) != unused_keys.end()) {
      continue;
    }
    if (p.key == "strategy") {
      if (root["strategy"]) out["strategy"] = s.strategy;
      continue;
    }
    const YAML::Node src = section.empty() ? root : root[section];
    YAML::Node value;
    if (src && src.IsMap() && src[leaf]) {
      value = src[leaf];
    } else if (p.key == "workload.stop") {
      value = root["duration"];  // its default is the run's duration
    } else if (p.default_value.empty()) {
      continue;
    } else {
      value = YAML::Load(p.default_value);
    }
    if (section.empty()) {
      out[leaf] = value;
    } else {
      out[section][leaf] = value;
    }
  }
  return out;
}

void read_strategy(const YamlReader& reader, const YAML::Node& root, const Catalog& catalog,
                   Scenario& s) {
  const YAML::Node node = root["strategy"];
  Call call{"none", {}};
  if (node) call = reader.parsed<Call>(node, "strategy", parse_call);
  try {
    s.strategy_params = catalog.strategies.resolve(call.name, call.args);
  } catch (const consensus::StrategyError& e) {
    reader.fail(node, "strategy", e.what());
  }
  s.strategy = s.strategy_params.canonical();
  const consensus::StrategyInfo* info =
      catalog.strategies.find_strategy(s.strategy_params.strategy());
  s.strategy_info = std::make_shared<const consensus::StrategyInfo>(*info);
}

Scenario load(YAML::Node root, const std::string& source, const LoadOptions& options) {
  for (const auto& o : options.overrides)
    apply_override(root, o);
  const Catalog own = options.catalog == nullptr ? builtin_catalog() : Catalog{};
  const Catalog& catalog = options.catalog == nullptr ? own : *options.catalog;
  const ParamTable table = catalog.params();
  YamlReader reader(source, options.overrides);
  reader.set_params(&table);
  if (!root.IsMap())
    reader.fail(root, "", "a scenario is a YAML map (name:, duration:, topology:, ...)");
  reader.expect_map(root, "", allowed_keys(reader, ""));
  for (const auto& r : reserved_sections()) {
    if (root[r])
      reader.fail(root[r], r, "section reserved for a later version of dmlssim; not supported yet");
  }
  Scenario s;
  s.source = source;
  s.name = reader.string(value_or_default(reader, root, "name"), "name");
  if (s.name.find_first_of(",\"\n/\\") != std::string::npos) {
    reader.fail(root["name"], "name",
                "a name cannot contain commas, quotes, slashes or line breaks");
  }
  // The name is the default result directory (results/<name>): it must be one safe component.
  if (s.name.empty() || s.name == "." || s.name == ".." || s.name.front() == '-' ||
      s.name.find_first_of("\r\t") != std::string::npos || s.name.find('\0') != std::string::npos) {
    reader.fail(root["name"], "name",
                "'" + s.name +
                    "' is not a safe directory name (results go to results/<name>): use letters, "
                    "digits, '-', '_' or '.', not empty, '.' or '..', not starting with '-'");
  }
  if (root["description"]) s.description = reader.string(root["description"], "description");
  s.duration =
      reader.duration(value_or_default(reader, root, "duration"), "duration", sim::kNanosecond);
  s.seed = reader.integer(value_or_default(reader, root, "seed"), "seed", 0, kMaxSeed);
  s.runs = reader.integer(value_or_default(reader, root, "runs"), "runs", 1, kMaxRuns);
  s.topology = read_topology(reader, root["topology"]);
  s.faults = parse_faults(reader, root["faults"], s.topology, s.duration);
  const YAML::Node metrics = root["metrics"];
  if (metrics) reader.expect_map(metrics, "metrics", allowed_keys(reader, "metrics"));
  s.metrics.interval = reader.duration(value_or_default(reader, metrics, "metrics.interval"),
                                       "metrics.interval", sim::kMillisecond);
  s.metrics.pairs =
      reader.boolean(value_or_default(reader, metrics, "metrics.pairs"), "metrics.pairs");
  s.metrics.json =
      reader.boolean(value_or_default(reader, metrics, "metrics.json"), "metrics.json");
  s.metrics.room_dag =
      reader.boolean(value_or_default(reader, metrics, "metrics.room_dag"), "metrics.room_dag");
  s.metrics.room_cases =
      reader.boolean(value_or_default(reader, metrics, "metrics.room_cases"), "metrics.room_cases");
  read_strategy(reader, root, catalog, s);
  for (const auto& part : catalog.parts.all()) {
    if (std::shared_ptr<const PartSetup> setup = part->read(reader, root, s))
      s.parts.push_back(PartUse{part, std::move(setup)});
  }
  if (s.metrics.pairs && s.topology.servers > 500) {
    reader.fail(metrics["pairs"], "metrics.pairs",
                "per-pair reachability is limited to 500 servers");
  }
  s.resolved = build_resolved(root, table, s, catalog);
  return s;
}

}  // namespace

Scenario load_scenario_text(const std::string& text, const std::string& source,
                            const LoadOptions& options) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
    if (const std::optional<YAML::Mark> second = second_document(text)) {
      throw ScenarioError(
          source + ":" + std::to_string(second->line + 1) + ":" +
              std::to_string(second->column + 1),
          "",
          "the file holds more than one YAML document; a scenario is one (a second starts here)");
    }
  } catch (const YAML::Exception& e) {
    // yaml-cpp calls a tab in indentation an "illegal map value" or worse: name the tab.
    std::size_t line = 1;
    for (std::size_t i = 0; i < text.size(); ++line) {
      const std::size_t end = std::min(text.find('\n', i), text.size());
      const std::size_t indent_end = text.find_first_not_of(" \t", i);
      if (indent_end != std::string::npos && indent_end > i && indent_end <= end &&
          text.find('\t', i) < indent_end) {
        const std::size_t tab = text.find('\t', i);
        throw ScenarioError(source + ":" + std::to_string(line) + ":" + std::to_string(tab - i + 1),
                            "", "a tab in the indentation: YAML indents with spaces only");
      }
      i = end + 1;
    }
    throw ScenarioError(
        source + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1),
        "", "YAML syntax error: " + e.msg);
  }
  if (!root || root.IsNull()) throw ScenarioError(source, "", "the file is empty");
  return load(root, source, options);
}

Scenario load_scenario_file(const std::string& path, const LoadOptions& options) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw ScenarioError(path, "", "is a directory, not a scenario file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ScenarioError(path, "", "cannot open the file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw ScenarioError(path, "", "cannot read the file");
  return load_scenario_text(buffer.str(), path, options);
}

std::string resolved_yaml(const Scenario& scenario) {
  YAML::Emitter out;
  out << scenario.resolved;
  return std::string(out.c_str()) + "\n";
}

}  // namespace dmlssim::scenarios
