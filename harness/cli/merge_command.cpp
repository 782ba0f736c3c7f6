// harness merge DIR... --out DIR: shard reports into one report.
#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>

#include "cli/arguments.h"
#include "codecs/core/error.h"
#include "harness/cli/commands.h"
#include "harness/merge.h"
#include "harness/report/reader.h"
#include "harness/report/row_check.h"
#include "harness/report/writers.h"

namespace lcz::cli {
namespace fs = std::filesystem;

int merge_command(int argc, char** argv) {
  CLI::App app{"Merge the reports of shards (harness --shard i/n) into one report", "harness merge"};
  std::vector<std::string> dirs;
  std::string out;
  bool allow_missing = false, force = false;
  app.add_option("dirs", dirs, "run folders of the shards (each holds report.json)")->required()->check(lcz::cli::not_empty());
  app.add_option("--out", out, "folder for the merged report.csv and report.json")->required()->check(lcz::cli::not_empty());
  app.add_flag("--allow-missing", allow_missing, "write the merged report even if some jobs have no row");
  app.add_flag("--force", force, "replace a report already in --out");
  if (const int code = parse_command_line(app, argc, argv); code >= 0) return code;
  return run_reporting_errors("harness merge", [&] {
    std::vector<MergeInput> parts;
    for (const auto& d : dirs) {
      const fs::path file = fs::path(d) / "report.json";
      if (!fs::exists(file)) throw_input(d + ": no report.json in this folder");
      Report r = read_report_json(file);  // a FIFO, device or folder of that name is refused by what it is
      // What a row claims is recomputed from what it holds before any row is merged.
      const nlohmann::json& tol = r.provenance.contains("tolerance") ? r.provenance["tolerance"] : nlohmann::json();
      check_report_rows(r.rows, r.datasets, tol.is_number() ? std::optional(tol.get<double>()) : std::nullopt,
                        file.string());
      parts.push_back({d, std::move(r)});
    }
    const fs::path out_dir(out);
    if (!force && (fs::exists(out_dir / "report.json") || fs::exists(out_dir / "report.csv")))
      throw_config(out + ": already holds a report (use --force to replace it)");
    MergeResult m = merge_reports(parts, out_dir.filename().string());
    for (const auto& d : m.duplicated) std::cerr << "harness merge: duplicated job: " << d << "\n";
    for (const auto& j : m.missing) std::cerr << "harness merge: missing job: " << j << "\n";
    if (!m.duplicated.empty())
      throw_input(std::to_string(m.duplicated.size()) + " job(s) reported more than once; nothing written");
    if (!m.missing.empty() && !allow_missing)
      throw_input(std::to_string(m.missing.size()) + " job(s) missing; nothing written (--allow-missing writes what there is)");
    write_report_files(m.report, out_dir, force);
    std::cerr << "merged " << m.report.rows.size() << " rows from " << parts.size() << " reports into "
              << (out_dir / "report.csv").string() << " and report.json\n";
    return exit_code_of(m.report.rows);
  });
}

}  // namespace lcz::cli
