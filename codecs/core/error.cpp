#include "codecs/core/error.h"

#include <cstdio>

namespace lcz {

void throw_config(const std::string& message) { throw Error(ErrorKind::config, message); }
void throw_input(const std::string& message) { throw Error(ErrorKind::input, message); }

void throw_refused(const std::string& stage, const std::string& message) {
  throw Error(ErrorKind::codec, "stage '" + stage + "' cannot encode: " + message);
}

void throw_refused_at(const std::string& stage, uint64_t element, const std::string& message) {
  throw Error(ErrorKind::codec, "stage '" + stage + "' cannot encode: " + message, element);
}

void throw_corrupt(const std::string& stage, size_t offset, const std::string& message) {
  throw Error(ErrorKind::codec,
              "stage '" + stage + "': corrupt input at offset " + std::to_string(offset) + ": " + message);
}

std::string readable_number(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

}  // namespace lcz
