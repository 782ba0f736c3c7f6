#include "harness/report/writers.h"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "codecs/core/error.h"
#include "files/atomic_file.h"

namespace lcz {

const char* const kCsvColumns[] = {
    "dataset", "pipeline", "tensors", "weights", "original_bytes", "compressed_bytes", "ratio", "bits_per_weight",
    "encode_mb_s", "decode_mb_s", "max_abs_error", "max_error_over_tol", "pass", "bound_bytes",
    // extra columns after the fixed ones
    "granularity", "repeats", "encode_seconds", "decode_seconds", "output_sha256", "error",
    "decode_repeats", "encode_seconds_min", "decode_seconds_min", nullptr};

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
  for (int i = 0; kCsvColumns[i]; ++i) out << (i ? "," : "") << kCsvColumns[i];
  out << "\n";
  for (const auto& r : report.rows) {
    out << csv_field(r.dataset) << ',' << csv_field(r.pipeline) << ',' << r.tensors << ',' << r.weights << ','
        << r.original_bytes << ',' << r.compressed_bytes << ',' << fmt("%.4f", r.ratio) << ','
        << fmt("%.4f", r.bits_per_weight) << ',' << fmt("%.2f", r.encode_mb_s) << ',' << fmt("%.2f", r.decode_mb_s) << ','
        << fmt("%.9g", r.max_abs_error) << ',' << fmt("%.6f", r.max_error_over_tol) << ',' << (r.pass ? "true" : "false")
        << ',' << fmt("%.1f", r.bound_bytes) << ',' << r.granularity << ',' << r.repeats << ','
        << fmt("%.6f", r.encode_seconds) << ',' << fmt("%.6f", r.decode_seconds) << ',' << r.output_sha256 << ','
        << csv_field(r.error) << ',' << r.decode_repeats << ',' << fmt("%.6f", r.encode_seconds_min) << ','
        << fmt("%.6f", r.decode_seconds_min) << "\n";
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
  for (const auto& r : report.rows)
    j["rows"].push_back({{"dataset", r.dataset},
                         {"pipeline", r.pipeline},
                         {"tensors", r.tensors},
                         {"weights", r.weights},
                         {"original_bytes", r.original_bytes},
                         {"compressed_bytes", r.compressed_bytes},
                         {"ratio", number_or_null(r.ratio)},
                         {"bits_per_weight", number_or_null(r.bits_per_weight)},
                         {"encode_mb_s", number_or_null(r.encode_mb_s)},
                         {"decode_mb_s", number_or_null(r.decode_mb_s)},
                         {"max_abs_error", number_or_null(r.max_abs_error)},
                         {"max_error_over_tol", number_or_null(r.max_error_over_tol)},
                         {"pass", r.pass},
                         {"bound_bytes", r.bound_bytes},
                         {"granularity", r.granularity},
                         {"repeats", r.repeats},
                         {"encode_seconds", r.encode_seconds},
                         {"decode_seconds", r.decode_seconds},
                         {"output_sha256", r.output_sha256},
                         {"error", r.error},
                         {"failure", r.failure ? nlohmann::json(failure_name(*r.failure)) : nlohmann::json(nullptr)},
                         {"decode_repeats", r.decode_repeats},
                         {"encode_seconds_min", r.encode_seconds_min},
                         {"decode_seconds_min", r.decode_seconds_min}});
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
