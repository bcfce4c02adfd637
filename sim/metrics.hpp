// The metrics recorder: named counters, gauges sampled on an interval, and tidy tables (one row
// per observation). Models never print; they record here, and scenarios/ writes the files.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <ostream>
#include <string>
#include <variant>
#include <vector>

#include "sim/simulation.hpp"

namespace dmlssim::sim {

// A table cell. Times are written as exact decimal seconds ("181.855458291"); doubles as the
// shortest decimal text that reads back to the same value (std::to_chars). Both are identical on
// every platform.
using Cell = std::variant<int64_t, double, std::string, SimTime>;

std::string format_cell(const Cell& cell);
// A CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break.
std::string csv_field(const std::string& text);

class Table {
 public:
  explicit Table(std::vector<std::string> columns) : columns_(std::move(columns)) {}
  const std::vector<std::string>& columns() const { return columns_; }
  const std::vector<std::vector<Cell>>& rows() const { return rows_; }
  // The row must have one cell per column.
  void add_row(std::vector<Cell> row);

 private:
  std::vector<std::string> columns_;
  std::vector<std::vector<Cell>> rows_;
};

// Writes `context` columns (name, value) first on every row, then the table's own columns.
// Strings are quoted when they contain a comma, a quote or a line break (RFC 4180).
void write_csv(std::ostream& out, const Table& table,
               const std::vector<std::pair<std::string, std::string>>& context);

// Writes the table as a JSON array of records, one object per row with the context fields first;
// numbers stay numbers (times in seconds), strings stay strings.
void write_json(std::ostream& out, const Table& table,
                const std::vector<std::pair<std::string, std::string>>& context);

class MetricsRecorder {
 public:
  using Gauge = std::function<double()>;

  // Returns the table, creating it; a second call must name the same columns.
  Table& table(const std::string& name, const std::vector<std::string>& columns);
  const std::map<std::string, Table>& tables() const { return tables_; }

  int64_t& counter(const std::string& name) { return counters_[name]; }
  const std::map<std::string, int64_t>& counters() const { return counters_; }

  void add_gauge(const std::string& name, Gauge fn);
  // Samples every gauge into table "gauges" (time_s, gauge, value) at 0, interval, 2 interval, ...
  // up to and including `end`.
  void sample_every(Simulation& sim, SimTime interval, SimTime end);

 private:
  void sample(SimTime now);

  std::map<std::string, Table> tables_;
  std::map<std::string, int64_t> counters_;
  std::vector<std::pair<std::string, Gauge>> gauges_;
};

}  // namespace dmlssim::sim
