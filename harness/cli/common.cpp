#include <exception>
#include <iostream>

#include <filesystem>

#include "codecs/core/error.h"
#include "files/printable.h"
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
    std::cerr << program << ": " << printable(e.what()) << "\n";
    return static_cast<int>(e.kind());
  } catch (const std::filesystem::filesystem_error& e) {
    // A folder or file the tool could not make or reach (a name too long, no permission):
    // an input error naming the path and the reason, not an internal one.
    std::cerr << program << ": " << printable(e.path1().string()) << ": " << e.code().message() << "\n";
    return static_cast<int>(ErrorKind::input);
  } catch (const std::bad_alloc&) {
    std::cerr << program << ": out of memory\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << program << ": internal error: " << printable(e.what()) << "\n";
    return 1;
  }
}

}  // namespace lcz::cli
