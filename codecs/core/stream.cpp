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

Stream empty_stream(StreamType t) {
  switch (t) {
    case StreamType::f32: return F32{};
    case StreamType::i32: return I32{};
    case StreamType::u32: return U32{};
    case StreamType::bytes: return Bytes{};
  }
  return Bytes{};
}

void append(Stream& dst, const Stream& src) {
  std::visit([&](auto& d) {
    using V = std::decay_t<decltype(d)>;
    const V& s = std::get<V>(src);  // throws std::bad_variant_access on a type mismatch
    d.insert(d.end(), s.begin(), s.end());
  }, dst);
}

Stream slice(const Stream& s, size_t begin, size_t end) {
  return std::visit([&](const auto& v) -> Stream {
    using V = std::decay_t<decltype(v)>;
    return V(v.begin() + begin, v.begin() + end);
  }, s);
}

}  // namespace lcz
