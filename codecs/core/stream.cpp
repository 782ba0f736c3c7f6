#include "codecs/core/stream.h"

namespace lcz {

const char* type_name(StreamType t) {
  switch (t) {
    case StreamType::f32: return "f32";
    case StreamType::i32: return "i32";
    case StreamType::u32: return "u32";
    case StreamType::bytes: return "bytes";
  }
  return "?";
}

size_t element_count(const Stream& s) {
  return std::visit([](const auto& v) { return v.size(); }, s);
}

}  // namespace lcz
