// The harness subcommands besides running a config: `harness merge`, `harness report`,
// `harness gen`. Each takes the arguments after its name (argv[0] is the subcommand) and
// returns the process exit code (0 ok, 2 usage or config, 3 input, 4/5 failed rows).
#pragma once

namespace lcz::cli {

int merge_command(int argc, char** argv);
int report_command(int argc, char** argv);
int gen_command(int argc, char** argv);

}  // namespace lcz::cli
