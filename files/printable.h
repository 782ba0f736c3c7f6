// Names from users and from files (paths, tensor names, a container's source name) printed so
// that they cannot rewrite the terminal or fake a line: control characters (below 0x20, 0x7f)
// and the backslash become C escapes (\n, \t, \x1b, \\). Everything else, UTF-8 included, is
// kept as it is.
#pragma once
#include <string>
#include <string_view>

namespace lcz {

std::string printable(std::string_view text);

}  // namespace lcz
