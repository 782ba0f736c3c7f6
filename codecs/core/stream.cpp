#include "codecs/core/stream.h"

#include "codecs/core/error.h"

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
    const V* s = std::get_if<V>(&src);
    if (!s)
      throw Error(ErrorKind::codec, std::string("cannot append a ") + type_name(type_of(src)) + " stream to a " +
                                        type_name(type_of(dst)) + " stream");
    d.insert(d.end(), s->begin(), s->end());
  }, dst);
}

Stream slice(const Stream& s, size_t begin, size_t end) {
  if (begin > end || end > element_count(s))
    throw Error(ErrorKind::codec, "slice [" + std::to_string(begin) + ", " + std::to_string(end) + ") of a stream of " +
                                      std::to_string(element_count(s)) + " elements");
  return std::visit([&](const auto& v) -> Stream {
    using V = std::decay_t<decltype(v)>;
    return V(v.begin() + begin, v.begin() + end);
  }, s);
}

}  // namespace lcz
