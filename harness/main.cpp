// The `harness` CLI: runs every dataset x pipeline of a config (or one shard of them),
// verifies every round trip against the tolerance and writes results/<run-id>/report.{csv,json}
// plus a markdown table. The subcommands merge, report and gen live in harness/cli/.
// Exit codes: 0 all rows pass, 1 internal error, 2 config or usage error, 3 input (dataset)
// error, 4 a row failed verification, 5 a stage failed to encode or decode.
#include <CLI/CLI.hpp>

#include <malloc.h>

#include <algorithm>
#include <iostream>

#include "cli/arguments.h"
#include "codecs/core/error.h"
#include "codecs/core/registry.h"
#include "files/interrupt.h"
#include "files/printable.h"
#include "files/standard_streams.h"
#include "harness/cli/commands.h"
#include "harness/grid_expand.h"
#include "harness/plan.h"
#include "harness/run.h"
#include "harness/shard.h"
#include "harness/report/writers.h"

namespace {

// A file name is at most 255 bytes on common file systems; leave room for the shard suffix.
constexpr size_t kMaxRunIdBytes = 200;

void list_stages(std::ostream& out) {
  for (const auto& d : lcz::all_stages()) {
    out << d.name << "  (" << lcz::stage_kind_name(d.kind) << ", " << lcz::type_name(d.input) << " -> "
        << lcz::type_name(d.output) << ")";
    if (d.library_version) out << "  [" << d.library_version() << "]";
    out << "\n    " << d.doc << "\n";
    for (const auto& p : d.params) {
      out << "    " << p.name << ": " << lcz::param_type_name(p.type) << ", default "
          << (p.default_value.is_null() ? "unset" : p.default_value.dump());
      if (p.min || p.max) out << ", range " << (p.min ? std::to_string(static_cast<long long>(*p.min)) : "") << ".."
                              << (p.max ? std::to_string(static_cast<long long>(*p.max)) : "");
      if (!p.choices.empty()) {
        out << ", one of";
        for (const auto& c : p.choices) out << " " << c;
      }
      out << "\n        " << p.doc << "\n";
    }
  }
}

void list_plan(const lcz::Config& c, const lcz::Shard& shard, std::ostream& out) {
  out << "tolerance " << lcz::tolerance_text(c.tolerance) << ", at least " << c.repeat << " timed runs and " << c.min_seconds
      << " s per row and direction\n";
  for (const auto& d : c.datasets)
    out << "dataset " << d.name << ": " << (d.is_delta() ? d.target.string() + " against base " + d.base.string() : d.path.string()) << "\n";
  for (const auto& p : c.pipelines) {
    out << "pipeline " << p.name << " (" << lcz::granularity_name(p.granularity);
    if (p.tensor_stages) out << ", first " << p.tensor_stages << " per tensor";
    out << "):";
    for (const auto& s : p.stages) out << " " << s.descriptor->name << s.params.json().dump();
    out << "\n";
  }
  const size_t jobs = lcz::job_count(c.datasets.size(), c.pipelines.size());
  out << c.pipelines.size() << " pipelines, " << c.datasets.size() << " datasets, " << jobs
      << " jobs (datasets x (pipelines + the memcpy row))";
  if (!shard.whole())
    out << "; shard " << shard.text() << " runs " << lcz::shard_jobs(c.datasets.size(), c.pipelines.size(), shard).size();
  out << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  lcz::reserve_standard_streams();  // before any file is opened
  lcz::clean_up_on_signals();
  if (argc > 1) {  // subcommands, each with its own options
    const std::string sub = argv[1];
    if (sub == "merge") return lcz::cli::merge_command(argc - 1, argv + 1);
    if (sub == "report") return lcz::cli::report_command(argc - 1, argv + 1);
    if (sub == "gen") return lcz::cli::gen_command(argc - 1, argv + 1);
  }
  // Timed runs allocate and free buffers of the same sizes again and again; keeping freed
  // memory in the process (as lzbench pre-faults its buffers) keeps page faults out of the
  // timings. Only below 16 MiB: a larger block, such as the match-finder hash that liblzma
  // callocs on every call (16 MiB at xz -6, 64 MiB at -9), is cheaper as fresh zero pages
  // than as reused heap memory that calloc must clear, which cost 1.5 ms per call and made
  // per-tensor xz runs on nets of many small tensors 7-15x slower.
  mallopt(M_MMAP_THRESHOLD, 16 << 20);
  mallopt(M_TRIM_THRESHOLD, -1);
  CLI::App app{"Benchmark error-bounded codecs for neural-network weights on real nets.\n"
               "Subcommands (each with --help): harness merge DIR... --out DIR | harness report RUN_DIR | "
               "harness gen --like NET --weights N -o FILE.f32"};
  std::string config_path, datasets_dir, out_dir = "results";
  std::string filter, shard_text, run_id;
  int repeat = 0;
  double min_seconds = -1;
  bool stages = false, dry_run = false, force = false;
  std::vector<std::string> only;
  const CLI::Validator not_empty = lcz::cli::not_empty();
  app.add_option("--config", config_path, "JSON config: datasets, pipelines, tolerance, repeat")->check(not_empty);
  app.add_option("--datasets", datasets_dir, "folder that relative dataset names resolve against")->check(CLI::ExistingDirectory);
  app.add_option("--out", out_dir, "where results/<run-id>/ is written")->capture_default_str()->check(not_empty);
  app.add_option("--repeat", repeat, "at least this many timed runs per row and direction (overrides the config)")
      ->check(lcz::cli::whole_number(1, 1000));
  app.add_option("--min-seconds", min_seconds, "and at least this much timed time per row and direction (overrides the config)")->check(CLI::Range(0.0, 3600.0));
  app.add_option("--filter", filter, "run only the pipelines whose name matches this regular expression")->check(not_empty);
  app.add_option("--shard", shard_text, "run slice i of n of the dataset x pipeline jobs (i/n, from 0); see harness merge")
      ->check(not_empty);
  app.add_option("--run-id", run_id, "name of the run folder under --out (default: UTC time, config name, shard)")
      ->check(not_empty);
  app.add_option("--pipeline", only, "run only the pipelines with these names (repeatable)")->check(not_empty);
  app.add_flag("--force", force, "replace a report already in the run folder (with --run-id)");
  app.add_flag("--list-stages", stages, "print every registered stage with its types and parameters");
  app.add_flag("--dry-run", dry_run, "validate the config and print the datasets and pipelines it expands to");
  if (const int code = lcz::cli::parse_command_line(app, argc, argv); code >= 0) return code;

  if (stages) {
    list_stages(std::cout);
    return 0;
  }
  if (config_path.empty()) {
    std::cerr << "harness: --config FILE is required (or --list-stages); see --help\n";
    return 2;
  }
  return lcz::cli::run_reporting_errors("harness", [&] {
    lcz::ConfigOverrides overrides;
    if (!datasets_dir.empty()) overrides.datasets_dir = datasets_dir;
    if (repeat > 0) overrides.repeat = repeat;
    if (min_seconds >= 0) overrides.min_seconds = min_seconds;
    const lcz::Shard shard = shard_text.empty() ? lcz::Shard{} : lcz::parse_shard(shard_text);
    lcz::Config config = lcz::load_config(config_path, overrides);
    if (!only.empty()) {
      for (const auto& name : only)
        if (std::none_of(config.pipelines.begin(), config.pipelines.end(), [&](const auto& p) { return p.name == name; }))
          throw lcz::Error(lcz::ErrorKind::config, config_path + ": --pipeline " + name + ": no pipeline of that name");
      std::erase_if(config.pipelines, [&](const auto& p) { return std::find(only.begin(), only.end(), p.name) == only.end(); });
    }
    if (!run_id.empty()) {
      if (run_id == "." || run_id == ".." || run_id.find('/') != std::string::npos)
        throw lcz::Error(lcz::ErrorKind::config, "--run-id " + run_id + ": expected a folder name, not a path");
      if (run_id.size() > kMaxRunIdBytes || lcz::printable(run_id) != run_id)
        throw lcz::Error(lcz::ErrorKind::config, "--run-id " + run_id.substr(0, 40) + (run_id.size() > 40 ? "...": "") +
                                                     ": expected a folder name of at most " + std::to_string(kMaxRunIdBytes) +
                                                     " bytes without control characters");
      if (!force && std::filesystem::exists(std::filesystem::path(out_dir) / run_id / "report.json"))
        throw lcz::Error(lcz::ErrorKind::config, (std::filesystem::path(out_dir) / run_id).string() +
                                                     ": already holds a report (use --force to replace it)");
    }
    if (!filter.empty()) lcz::keep_matching(config.pipelines, filter, config_path);
    if (dry_run) {
      list_plan(config, shard, std::cout);
      lcz::write_run_cost(config, std::cout);
      return 0;
    }
    lcz::prepare_output_folder(out_dir);  // a bad --out fails now, not after the run
    lcz::Report report = lcz::run_config(config, [](const std::string& line) { std::cerr << line << std::endl; }, shard);
    if (!run_id.empty()) report.run_id = run_id;
    auto dir = std::filesystem::path(out_dir) / report.run_id;
    lcz::write_report_files(report, dir, force);
    lcz::write_markdown(report, std::cout);
    std::cerr << "wrote " << (dir / "report.csv").string() << " and report.json; peak RSS "
              << report.peak_rss_bytes / 1048576 << " MiB\n";
    for (const auto& r : report.rows)
      if (!r.pass) std::cerr << "FAILED: " << r.dataset << " x " << r.pipeline << ": " << r.error << "\n";
    return lcz::exit_code_of(report.rows);
  });
}
