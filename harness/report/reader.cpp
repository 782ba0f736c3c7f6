#include "harness/report/reader.h"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include <type_traits>
#include <variant>

#include "codecs/core/error.h"
#include "harness/report/row_fields.h"

namespace lcz {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string slurp(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw_input(file.string() + ": cannot open the report");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// ---- report.json ----

class JsonRows {
 public:
  explicit JsonRows(const fs::path& file) : file_(file) {}

  [[noreturn]] void fail(const std::string& path, const std::string& what) const {
    throw_input(file_.string() + ": " + path + ": " + what);
  }
  const json& field(const json& obj, const char* key, const std::string& path) const {
    if (!obj.is_object() || !obj.contains(key)) fail(path + "." + key, "missing");
    return obj[key];
  }
  std::string text(const json& obj, const char* key, const std::string& path) const {
    const json& v = field(obj, key, path);
    if (!v.is_string()) fail(path + "." + key, "expected a string");
    return v.get<std::string>();
  }
  uint64_t count(const json& obj, const char* key, const std::string& path) const {
    const json& v = field(obj, key, path);
    if (!v.is_number_unsigned()) fail(path + "." + key, "expected a count");
    return v.get<uint64_t>();
  }
  // null is how the writer stores NaN.
  double number(const json& obj, const char* key, const std::string& path) const {
    const json& v = field(obj, key, path);
    if (v.is_null()) return std::nan("");
    if (!v.is_number()) fail(path + "." + key, "expected a number or null");
    return v.get<double>();
  }
  // Fields newer reports carry; older ones read as 0.
  double optional_number(const json& obj, const char* key) const {
    return obj.contains(key) && obj[key].is_number() ? obj[key].get<double>() : 0;
  }

 private:
  fs::path file_;
};

}  // namespace

Report read_report_json(const fs::path& file) {
  json j;
  try {
    j = json::parse(slurp(file));
  } catch (const json::parse_error& e) {
    throw_input(file.string() + ": not valid JSON: " + e.what());
  }
  JsonRows r(file);
  Report report;
  report.run_id = r.text(j, "run_id", "");
  report.provenance = r.field(j, "provenance", "");
  if (!report.provenance.is_object()) r.fail("provenance", "expected an object");
  if (j.contains("peak_rss_bytes") && j["peak_rss_bytes"].is_number_unsigned())
    report.peak_rss_bytes = j["peak_rss_bytes"].get<uint64_t>();
  if (j.contains("datasets")) {
    const json& ds = j["datasets"];
    if (!ds.is_array()) r.fail("datasets", "expected an array");
    for (size_t i = 0; i < ds.size(); ++i) {
      const std::string path = "datasets[" + std::to_string(i) + "]";
      DatasetInfo d;
      d.name = r.text(ds[i], "name", path);
      d.format = r.text(ds[i], "format", path);
      try {
        d.files = r.field(ds[i], "files", path).get<std::vector<std::string>>();
        d.sha256 = r.field(ds[i], "sha256", path).get<std::vector<std::string>>();
      } catch (const json::type_error&) {
        r.fail(path, "files and sha256 must be arrays of strings");
      }
      d.tensors = r.count(ds[i], "tensors", path);
      d.weights = r.count(ds[i], "weights", path);
      d.bound_bytes = r.number(ds[i], "bound_bytes", path);
      report.datasets.push_back(std::move(d));
    }
  }
  const json& rows = r.field(j, "rows", "");
  if (!rows.is_array()) r.fail("rows", "expected an array");
  for (size_t i = 0; i < rows.size(); ++i) {
    const std::string path = "rows[" + std::to_string(i) + "]";
    const json& o = rows[i];
    ResultRow row;
    for (const RowField& f : row_fields())
      std::visit(
          [&](auto member) {
            auto& v = row.*member;
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::string>) {
              v = r.text(o, f.name, path);
            } else if constexpr (std::is_same_v<T, bool>) {
              const json& flag = r.field(o, f.name, path);
              if (!flag.is_boolean()) r.fail(path + "." + f.name, "expected true or false");
              v = flag.get<bool>();
            } else if (!f.required) {  // fields newer reports carry; older ones read as 0
              v = static_cast<T>(r.optional_number(o, f.name));
            } else if constexpr (std::is_same_v<T, double>) {
              v = r.number(o, f.name, path);
            } else {
              v = static_cast<T>(r.count(o, f.name, path));
            }
          },
          f.member);
    if (o.contains("failure") && o["failure"].is_string()) row.failure = failure_from_name(o["failure"].get<std::string>());
    if (!row.pass && !row.failure)  // reports from before the field: the message says which
      row.failure = row.error.rfind("verification failed", 0) == 0 ? ErrorKind::verify : ErrorKind::codec;
    report.rows.push_back(std::move(row));
  }
  return report;
}

// ---- report.csv ----

namespace {

// RFC 4180 records: quoted fields may hold commas, doubled quotes and newlines.
std::vector<std::vector<std::string>> csv_records(const std::string& text, const fs::path& file) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false, field_started = false;
  size_t line = 1;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '"' && !field_started) {
      quoted = field_started = true;
    } else if (c == ',') {
      record.push_back(std::move(field));
      field.clear();
      field_started = false;
    } else if (c == '\n') {
      record.push_back(std::move(field));
      records.push_back(std::move(record));
      field.clear();
      record.clear();
      field_started = false;
      ++line;
    } else if (c != '\r') {
      field += c;
      field_started = true;
    }
  }
  if (quoted) throw_input(file.string() + ": line " + std::to_string(line) + ": a quoted field is not closed");
  if (field_started || !record.empty()) {
    record.push_back(std::move(field));
    records.push_back(std::move(record));
  }
  return records;
}

}  // namespace

std::vector<ResultRow> read_report_csv(const fs::path& file) {
  const auto records = csv_records(slurp(file), file);
  if (records.empty()) throw_input(file.string() + ": empty, expected a header line");
  std::map<std::string, size_t> column;
  for (size_t i = 0; i < records[0].size(); ++i) column[records[0][i]] = i;
  for (const RowField& f : row_fields())
    if (f.fixed_column && !column.count(f.name)) throw_input(file.string() + ": line 1: no column '" + f.name + "'");
  std::vector<ResultRow> rows;
  for (size_t r = 1; r < records.size(); ++r) {
    const auto& rec = records[r];
    const std::string where = file.string() + ": record " + std::to_string(r + 1);
    if (rec.size() != records[0].size())
      throw_input(where + ": " + std::to_string(rec.size()) + " fields, the header has " + std::to_string(records[0].size()));
    auto get = [&](const char* name) -> const std::string* {
      auto it = column.find(name);
      return it == column.end() ? nullptr : &rec[it->second];
    };
    auto number = [&](const char* name) -> double {
      const std::string* s = get(name);
      if (!s) return 0;
      char* end = nullptr;
      const double v = std::strtod(s->c_str(), &end);
      if (s->empty() || *end != '\0') throw_input(where + ": " + name + ": '" + *s + "' is not a number");
      return v;
    };
    auto count = [&](const char* name) -> uint64_t {
      const double v = number(name);
      if (!(v >= 0) || v != std::floor(v) || v > 1e18) throw_input(where + ": " + name + ": expected a count");
      return static_cast<uint64_t>(v);
    };
    // A column a report lacks (only the fixed ones are required) reads as empty or 0.
    ResultRow row;
    for (const RowField& f : row_fields())
      std::visit(
          [&](auto member) {
            auto& v = row.*member;
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::string>) {
              if (const std::string* s = get(f.name)) v = *s;
            } else if constexpr (std::is_same_v<T, bool>) {
              const std::string* s = get(f.name);
              if (!s || (*s != "true" && *s != "false"))
                throw_input(where + ": " + f.name + ": '" + (s ? *s : "") + "' is not true or false");
              v = *s == "true";
            } else if constexpr (std::is_same_v<T, double>) {
              v = number(f.name);
            } else {
              v = static_cast<T>(count(f.name));
            }
          },
          f.member);
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace lcz
