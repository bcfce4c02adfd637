#include "sim/metrics.hpp"

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace dmlssim::sim {

std::string format_cell(const Cell& cell) {
  if (const auto* i = std::get_if<int64_t>(&cell)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&cell)) {
    if (std::isnan(*d)) return "nan";
    if (std::isinf(*d)) return *d > 0 ? "inf" : "-inf";
    char buf[32];
    auto res = std::to_chars(buf, buf + sizeof(buf), *d);
    return std::string(buf, res.ptr);
  }
  if (const auto* t = std::get_if<SimTime>(&cell)) return format_seconds(*t);
  return std::get<std::string>(cell);
}

void Table::add_row(std::vector<Cell> row) {
  if (row.size() != columns_.size())
    throw std::invalid_argument("Table::add_row: wrong number of cells");
  rows_.push_back(std::move(row));
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

namespace {
void write_field(std::ostream& out, const std::string& text) {
  out << csv_field(text);
}
}  // namespace

void write_csv(std::ostream& out, const Table& table,
               const std::vector<std::pair<std::string, std::string>>& context) {
  bool first = true;
  auto sep = [&] {
    if (!first) out << ',';
    first = false;
  };
  for (const auto& [name, value] : context) {
    sep();
    write_field(out, name);
  }
  for (const auto& c : table.columns()) {
    sep();
    write_field(out, c);
  }
  out << '\n';
  for (const auto& row : table.rows()) {
    first = true;
    for (const auto& [name, value] : context) {
      sep();
      write_field(out, value);
    }
    for (const auto& cell : row) {
      sep();
      write_field(out, format_cell(cell));
    }
    out << '\n';
  }
}

void write_json(std::ostream& out, const Table& table,
                const std::vector<std::pair<std::string, std::string>>& context) {
  nlohmann::ordered_json records = nlohmann::ordered_json::array();
  for (const auto& row : table.rows()) {
    nlohmann::ordered_json record = nlohmann::ordered_json::object();
    for (const auto& [name, value] : context)
      record[name] = value;
    for (std::size_t i = 0; i < row.size(); ++i) {
      const Cell& cell = row[i];
      nlohmann::ordered_json& field = record[table.columns()[i]];
      if (const auto* v = std::get_if<int64_t>(&cell)) {
        field = *v;
      } else if (const auto* d = std::get_if<double>(&cell)) {
        field = *d;  // NaN and infinities become null, as JSON has no spelling for them
      } else if (const auto* t = std::get_if<SimTime>(&cell)) {
        field = t->seconds();
      } else {
        field = std::get<std::string>(cell);
      }
    }
    records.push_back(std::move(record));
  }
  out << records.dump(1) << '\n';
}

Table& MetricsRecorder::table(const std::string& name, const std::vector<std::string>& columns) {
  auto [it, fresh] = tables_.try_emplace(name, columns);
  if (!fresh && it->second.columns() != columns) {
    throw std::logic_error("MetricsRecorder: table '" + name + "' redeclared with other columns");
  }
  return it->second;
}

void MetricsRecorder::add_gauge(const std::string& name, Gauge fn) {
  gauges_.emplace_back(name, std::move(fn));
}

void MetricsRecorder::sample(SimTime now) {
  Table& t = table("gauges", {"time_s", "gauge", "value"});
  for (const auto& [name, fn] : gauges_)
    t.add_row({now, name, fn()});
}

void MetricsRecorder::sample_every(Simulation& sim, SimTime interval, SimTime end) {
  if (interval <= SimTime()) throw std::invalid_argument("sample_every: interval must be > 0");
  struct Tick {
    MetricsRecorder* self;
    Simulation* sim;
    SimTime interval;
    SimTime end;
    void operator()() const {
      self->sample(sim->now());
      if (sim->now() + interval <= end) sim->schedule(interval, *this);
    }
  };
  sim.schedule_at(sim.now(), Tick{this, &sim, interval, end});
}

}  // namespace dmlssim::sim
