#include <exception>
#include <iostream>

#include "codecs/core/error.h"
#include "harness/cli/commands.h"

namespace lcz::cli {

int parse_command_line(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
    return -1;
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : static_cast<int>(ErrorKind::config);
  }
}

int run_reporting_errors(const char* program, const std::function<int()>& body) {
  try {
    return body();
  } catch (const Error& e) {
    std::cerr << program << ": " << e.what() << "\n";
    return static_cast<int>(e.kind());
  } catch (const std::exception& e) {
    std::cerr << program << ": internal error: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace lcz::cli
