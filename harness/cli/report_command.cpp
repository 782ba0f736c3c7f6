// harness report RUN_DIR: RUN_DIR/REPORT.md from RUN_DIR/report.csv (and report.json's provenance).
#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <sstream>

#include "files/atomic_file.h"

#include "cli/arguments.h"
#include "codecs/core/error.h"
#include "harness/cli/commands.h"
#include "harness/report/reader.h"
#include "harness/report/row_check.h"
#include "harness/report/summary.h"
#include "harness/report/writers.h"

namespace lcz::cli {
namespace fs = std::filesystem;

int report_command(int argc, char** argv) {
  CLI::App app{"Write RUN_DIR/REPORT.md: per dataset the best, fastest, Pareto and seed rows and a recommendation",
               "harness report"};
  std::string run_dir, out, seed = "seed";
  bool force = false;
  const CLI::Validator not_empty = lcz::cli::not_empty();
  app.add_option("run_dir", run_dir, "a run folder holding report.csv (report.json adds provenance)")->required()->check(not_empty);
  app.add_option("--out", out, "write here instead of RUN_DIR/REPORT.md ('-': standard output)")->check(not_empty);
  app.add_option("--seed", seed, "the pipeline to compare against")->capture_default_str()->check(not_empty);
  app.add_flag("--force", force, "replace an existing REPORT.md");
  if (const int code = parse_command_line(app, argc, argv); code >= 0) return code;
  return run_reporting_errors("harness report", [&] {
    const fs::path dir(run_dir);
    const fs::path file = out.empty() ? dir / "REPORT.md" : fs::path(out);
    AtomicFile output(out == "-" ? fs::path("-") : file, force);  // refused now (exists, a FIFO, ...), not after the work
    const auto rows = read_report_csv(dir / "report.csv");
    nlohmann::json provenance;
    std::vector<DatasetInfo> datasets;
    std::error_code ec;
    if (fs::exists(fs::symlink_status(dir / "report.json", ec))) {
      Report json = read_report_json(dir / "report.json");
      provenance = std::move(json.provenance);
      datasets = std::move(json.datasets);
    }
    // A row is ranked and recommended only if what it claims agrees with what it holds.
    const nlohmann::json& tol = provenance.contains("tolerance") ? provenance["tolerance"] : nlohmann::json();
    check_report_rows(rows, datasets, tol.is_number() ? std::optional(tol.get<double>()) : std::nullopt,
                      (dir / "report.csv").string());
    std::ostringstream text;
    write_summary_markdown(rows, provenance, text, seed);
    output.commit({reinterpret_cast<const uint8_t*>(text.view().data()), text.view().size()});
    if (out == "-") return 0;
    std::cerr << "wrote " << file.string() << " (scripts/plot.py " << run_dir << " draws the pictures it shows)\n";
    return 0;
  });
}

}  // namespace lcz::cli
