// The harness subcommands besides running a config: `harness merge`, `harness report`,
// `harness gen`. Each takes the arguments after its name (argv[0] is the subcommand) and
// returns the process exit code (0 ok, 2 usage or config, 3 input, 4/5 failed rows).
#pragma once
#include <functional>

#include <CLI/CLI.hpp>

namespace lcz::cli {

int merge_command(int argc, char** argv);
int report_command(int argc, char** argv);
int gen_command(int argc, char** argv);

// What every harness command shares. CLI11 exits with its own codes (105, 109, ...); the
// README promises 2 for a usage error and 0 for --help: parse_command_line returns that code,
// or -1 when the command line parsed and the command goes on.
int parse_command_line(CLI::App& app, int argc, char** argv);
// body's exit code; an lcz::Error is printed as "program: message" and exits with its kind's
// code, any other exception as "program: internal error: ..." with 1.
int run_reporting_errors(const char* program, const std::function<int()>& body);

}  // namespace lcz::cli
