// harness report RUN_DIR: RUN_DIR/REPORT.md from RUN_DIR/report.csv (and report.json's provenance).
#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>

#include "codecs/core/error.h"
#include "harness/cli/commands.h"
#include "harness/report/reader.h"
#include "harness/report/summary.h"
#include "harness/report/writers.h"

namespace lcz::cli {
namespace fs = std::filesystem;

int report_command(int argc, char** argv) {
  CLI::App app{"Write RUN_DIR/REPORT.md: per dataset the best, fastest, Pareto and seed rows and a recommendation",
               "harness report"};
  std::string run_dir, out, seed = "seed";
  bool force = false;
  app.add_option("run_dir", run_dir, "a run folder holding report.csv (report.json adds provenance)")->required();
  app.add_option("--out", out, "write here instead of RUN_DIR/REPORT.md ('-': standard output)");
  app.add_option("--seed", seed, "the pipeline to compare against")->capture_default_str();
  app.add_flag("--force", force, "replace an existing REPORT.md");
  if (const int code = parse_command_line(app, argc, argv); code >= 0) return code;
  return run_reporting_errors("harness report", [&] {
    const fs::path dir(run_dir);
    const auto rows = read_report_csv(dir / "report.csv");
    nlohmann::json provenance;
    if (fs::exists(dir / "report.json")) provenance = read_report_json(dir / "report.json").provenance;
    if (out == "-") {
      write_summary_markdown(rows, provenance, std::cout, seed);
      return 0;
    }
    const fs::path file = out.empty() ? dir / "REPORT.md" : fs::path(out);
    if (fs::exists(file) && !force) throw_config(file.string() + ": already exists (use --force to replace it)");
    write_file_atomically(file, [&](std::ostream& o) { write_summary_markdown(rows, provenance, o, seed); });
    std::cerr << "wrote " << file.string() << " (scripts/plot.py " << run_dir << " draws the pictures it shows)\n";
    return 0;
  });
}

}  // namespace lcz::cli
