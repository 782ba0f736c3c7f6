// The `harness` CLI: runs every dataset x pipeline of a config, verifies every round trip
// against the tolerance and writes results/<run-id>/report.{csv,json} plus a markdown table.
// Exit codes: 0 all rows pass, 1 internal error, 2 config or usage error, 3 input (dataset)
// error, 4 a row failed verification, 5 a stage failed to encode or decode.
#include <CLI/CLI.hpp>

#include <malloc.h>

#include <algorithm>
#include <iostream>

#include "codecs/core/error.h"
#include "codecs/core/registry.h"
#include "harness/plan.h"
#include "harness/run.h"
#include "harness/report/writers.h"

namespace {

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

void list_plan(const lcz::Config& c, std::ostream& out) {
  out << "tolerance " << c.tolerance << ", repeat " << c.repeat << "\n";
  for (const auto& d : c.datasets)
    out << "dataset " << d.name << ": " << (d.is_delta() ? d.target.string() + " against base " + d.base.string() : d.path.string()) << "\n";
  for (const auto& p : c.pipelines) {
    out << "pipeline " << p.name << " (" << lcz::granularity_name(p.granularity);
    if (p.tensor_stages) out << ", first " << p.tensor_stages << " per tensor";
    out << "):";
    for (const auto& s : p.stages) out << " " << s.descriptor->name << s.params.json().dump();
    out << "\n";
  }
}

// CLI11 exits with its own codes (105, 109, ...); the README promises 2 for a usage error
// and 0 for --help. Returns -1 when the command line parsed and the run goes on.
int parse_command_line(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
    return -1;
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : static_cast<int>(lcz::ErrorKind::config);
  }
}

}  // namespace

int main(int argc, char** argv) {
  // Timed runs allocate and free buffers of the same sizes again and again; keeping freed
  // memory in the process (as lzbench pre-faults its buffers) keeps page faults out of the
  // timings. Only below 16 MiB: a larger block, such as the match-finder hash that liblzma
  // callocs on every call (16 MiB at xz -6, 64 MiB at -9), is cheaper as fresh zero pages
  // than as reused heap memory that calloc must clear, which cost 1.5 ms per call and made
  // per-tensor xz runs on nets of many small tensors 7-15x slower.
  mallopt(M_MMAP_THRESHOLD, 16 << 20);
  mallopt(M_TRIM_THRESHOLD, -1);
  CLI::App app{"Benchmark error-bounded codecs for neural-network weights on real nets"};
  std::string config_path, datasets_dir, out_dir = "results";
  int repeat = 0;
  bool stages = false, dry_run = false;
  std::vector<std::string> only;
  app.add_option("--config", config_path, "JSON config: datasets, pipelines, tolerance, repeat");
  app.add_option("--datasets", datasets_dir, "folder that relative dataset names resolve against")->check(CLI::ExistingDirectory);
  app.add_option("--out", out_dir, "where results/<run-id>/ is written")->capture_default_str();
  app.add_option("--repeat", repeat, "timed runs per row (overrides the config)")->check(CLI::Range(1, 1000));
  app.add_option("--pipeline", only, "run only the pipelines with these names (repeatable)");
  app.add_flag("--list-stages", stages, "print every registered stage with its types and parameters");
  app.add_flag("--dry-run", dry_run, "validate the config and print the datasets and pipelines it expands to");
  if (const int code = parse_command_line(app, argc, argv); code >= 0) return code;

  if (stages) {
    list_stages(std::cout);
    return 0;
  }
  if (config_path.empty()) {
    std::cerr << "harness: --config FILE is required (or --list-stages); see --help\n";
    return 2;
  }
  try {
    lcz::ConfigOverrides overrides;
    if (!datasets_dir.empty()) overrides.datasets_dir = datasets_dir;
    if (repeat > 0) overrides.repeat = repeat;
    lcz::Config config = lcz::load_config(config_path, overrides);
    if (!only.empty()) {
      for (const auto& name : only)
        if (std::none_of(config.pipelines.begin(), config.pipelines.end(), [&](const auto& p) { return p.name == name; }))
          throw lcz::Error(lcz::ErrorKind::config, config_path + ": --pipeline " + name + ": no pipeline of that name");
      std::erase_if(config.pipelines, [&](const auto& p) { return std::find(only.begin(), only.end(), p.name) == only.end(); });
    }
    if (dry_run) {
      list_plan(config, std::cout);
      lcz::write_run_cost(config, std::cout);
      return 0;
    }
    lcz::prepare_output_folder(out_dir);  // a bad --out fails now, not after the run
    lcz::Report report = lcz::run_config(config, [](const std::string& line) { std::cerr << line << std::endl; });
    auto dir = std::filesystem::path(out_dir) / report.run_id;
    lcz::write_report_files(report, dir);
    lcz::write_markdown(report, std::cout);
    std::cerr << "wrote " << (dir / "report.csv").string() << " and report.json\n";
    int failed_verify = 0, failed_codec = 0;
    for (const auto& r : report.rows) {
      if (r.pass) continue;
      (r.failure == lcz::ErrorKind::verify ? failed_verify : failed_codec)++;
      std::cerr << "FAILED: " << r.dataset << " x " << r.pipeline << ": " << r.error << "\n";
    }
    if (failed_verify) return static_cast<int>(lcz::ErrorKind::verify);
    if (failed_codec) return static_cast<int>(lcz::ErrorKind::codec);
    return 0;
  } catch (const lcz::Error& e) {
    std::cerr << "harness: " << e.what() << "\n";
    return static_cast<int>(e.kind());
  } catch (const std::exception& e) {
    std::cerr << "harness: internal error: " << e.what() << "\n";
    return 1;
  }
}
