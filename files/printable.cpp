#include "files/printable.h"

namespace lcz {

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u != 0x7f) {
      out += c;
      continue;
    }
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: {
        static const char* digits = "0123456789abcdef";
        out += "\\x";
        out += digits[u >> 4];
        out += digits[u & 15];
      }
    }
  }
  return out;
}

}  // namespace lcz
