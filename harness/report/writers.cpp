#include "harness/report/writers.h"

#include <cmath>
#include <cstdio>
#include <fstream>

#include <type_traits>
#include <variant>

#include "codecs/core/error.h"
#include "harness/report/row_fields.h"

namespace lcz {

namespace {

std::string fmt(const char* f, double v) {
  if (std::isnan(v)) return "nan";
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

// A table cell holds one line and no column separator: '|' is escaped, line breaks and other
// control characters (from error messages, file names) become spaces.
std::string markdown_cell(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '|') out += "\\|";
    else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) out += ' ';
    else out += c;
  }
  return out;
}

nlohmann::json number_or_null(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

}  // namespace

const char* failure_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::config: return "config";
    case ErrorKind::input: return "input";
    case ErrorKind::verify: return "verify";
    case ErrorKind::codec: return "codec";
  }
  return "unknown";
}

int exit_code_of(const std::vector<ResultRow>& rows) {
  bool failed_verify = false, failed_codec = false;
  for (const auto& r : rows)
    if (!r.pass) (r.failure == ErrorKind::verify ? failed_verify : failed_codec) = true;
  if (failed_verify) return static_cast<int>(ErrorKind::verify);
  if (failed_codec) return static_cast<int>(ErrorKind::codec);
  return 0;
}

std::optional<ErrorKind> failure_from_name(const std::string& name) {
  for (ErrorKind k : {ErrorKind::config, ErrorKind::input, ErrorKind::verify, ErrorKind::codec})
    if (name == failure_name(k)) return k;
  return std::nullopt;
}

void write_csv(const Report& report, std::ostream& out) {
  const auto fields = row_fields();
  for (size_t i = 0; i < fields.size(); ++i) out << (i ? "," : "") << fields[i].name;
  out << "\n";
  for (const auto& r : report.rows) {
    for (size_t i = 0; i < fields.size(); ++i) {
      if (i) out << ',';
      std::visit(
          [&](auto member) {
            const auto& v = r.*member;
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::string>) out << csv_field(v);
            else if constexpr (std::is_same_v<T, double>) out << fmt(fields[i].csv_format, v);
            else if constexpr (std::is_same_v<T, bool>) out << (v ? "true" : "false");
            else out << v;
          },
          fields[i].member);
    }
    out << "\n";
  }
}

void write_json(const Report& report, std::ostream& out) {
  nlohmann::json j;
  j["run_id"] = report.run_id;
  j["provenance"] = report.provenance;
  j["peak_rss_bytes"] = report.peak_rss_bytes;
  for (const auto& d : report.datasets)
    j["datasets"].push_back({{"name", d.name},
                             {"format", d.format},
                             {"files", d.files},
                             {"sha256", d.sha256},
                             {"tensors", d.tensors},
                             {"weights", d.weights},
                             {"bound_bytes", d.bound_bytes}});
  j["rows"] = nlohmann::json::array();
  for (const auto& r : report.rows) {
    nlohmann::json row;
    for (const RowField& f : row_fields())
      std::visit(
          [&](auto member) {
            const auto& v = r.*member;
            if constexpr (std::is_same_v<std::decay_t<decltype(v)>, double>)
              row[f.name] = f.json_null_if_not_finite ? number_or_null(v) : nlohmann::json(v);
            else
              row[f.name] = v;
          },
          f.member);
    row["failure"] = r.failure ? nlohmann::json(failure_name(*r.failure)) : nlohmann::json(nullptr);
    j["rows"].push_back(std::move(row));
  }
  // File names need not be UTF-8: replace what is not, rather than fail after the run.
  out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

void write_markdown(const Report& report, std::ostream& out) {
  out << "| dataset | pipeline | ratio | bits/weight | encode MB/s | decode MB/s | max err / tol | bytes | bound bytes | pass |\n"
      << "|---|---|--:|--:|--:|--:|--:|--:|--:|---|\n";
  for (const auto& r : report.rows)
    out << "| " << markdown_cell(r.dataset) << " | " << markdown_cell(r.pipeline) << " | " << fmt("%.4f", r.ratio) << " | "
        << fmt("%.3f", r.bits_per_weight) << " | " << fmt("%.1f", r.encode_mb_s) << " | " << fmt("%.1f", r.decode_mb_s)
        << " | " << fmt("%.4f", r.max_error_over_tol) << " | " << r.compressed_bytes << " | "
        << fmt("%.0f", r.bound_bytes) << " | " << (r.pass ? "yes" : "**NO**: " + markdown_cell(r.error)) << " |\n";
}

void prepare_output_folder(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status st = fs::status(dir, ec);
  if (fs::exists(st) && !fs::is_directory(st))
    throw_config("--out " + dir.string() + ": exists and is not a folder");
  fs::create_directories(dir, ec);
  if (ec) throw_config("--out " + dir.string() + ": cannot create the folder: " + ec.message());
  // Writable? Make and remove a probe file rather than trust permission bits (read-only
  // mounts, ACLs).
  const fs::path probe = dir / ".lcz-write-probe";
  {
    std::ofstream f(probe);
    if (!f) throw_config("--out " + dir.string() + ": cannot write files in this folder");
  }
  fs::remove(probe, ec);
}

void write_file_atomically(const std::filesystem::path& file, const std::function<void(std::ostream&)>& write) {
  std::filesystem::path tmp = file;
  tmp += ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary);
    if (f) write(f);
    f.close();
    if (!f) {
      std::error_code ec;
      std::filesystem::remove(tmp, ec);
      throw_input("cannot write " + file.string());
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, file, ec);
  if (ec) throw_input("cannot rename " + tmp.string() + " to " + file.string() + ": " + ec.message());
}

void write_report_files(const Report& report, const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw_input("cannot create the output folder " + dir.string() + ": " + ec.message());
  auto write = [&](const char* name, auto writer) {
    write_file_atomically(dir / name, [&](std::ostream& out) { writer(report, out); });
  };
  write("report.csv", write_csv);
  write("report.json", write_json);
}

}  // namespace lcz
