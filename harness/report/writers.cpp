#include "harness/report/writers.h"

#include <cmath>
#include <cstdio>
#include <sstream>

#include <type_traits>
#include <variant>

#include "codecs/core/error.h"
#include "files/atomic_file.h"
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
  // Writable? Open an output there (and drop it) rather than trust permission bits
  // (read-only mounts, ACLs); no fixed probe name, so no user's file is touched.
  try {
    AtomicFile probe(dir / ".lcz-write-probe", /*overwrite=*/true);  // never named: dropped unwritten
  } catch (const Error& e) {
    throw_config("--out " + dir.string() + ": cannot write files in this folder (" + e.what() + ")");
  }
}

namespace {

std::string text_of(const std::function<void(std::ostream&)>& write) {
  std::ostringstream out;
  write(out);
  return std::move(out).str();
}

std::span<const uint8_t> bytes_of(const std::string& text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

}  // namespace

void write_file_atomically(const std::filesystem::path& file, bool overwrite,
                           const std::function<void(std::ostream&)>& write) {
  AtomicFile out(file, overwrite);
  out.commit(bytes_of(text_of(write)));
}

void write_report_files(const Report& report, const std::filesystem::path& dir, bool overwrite) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const bool made_dir = !fs::exists(dir, ec);
  fs::create_directories(dir, ec);
  if (ec) throw_input("cannot create the output folder " + dir.string() + ": " + ec.message());
  try {
    // Both written and flushed before either is put in place: a full disk leaves neither.
    AtomicFile csv(dir / "report.csv", overwrite), json(dir / "report.json", overwrite);
    csv.write(bytes_of(text_of([&](std::ostream& o) { write_csv(report, o); })));
    json.write(bytes_of(text_of([&](std::ostream& o) { write_json(report, o); })));
    csv.commit();
    json.commit();
  } catch (...) {
    if (made_dir) fs::remove(dir, ec);  // only if still empty: a folder this call made, and nothing else
    throw;
  }
}

}  // namespace lcz
