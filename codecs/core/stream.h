// Typed streams that flow between stages: float32 tensor -> int32 -> uint32 -> bytes.
#pragma once
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace lcz {

using F32 = std::vector<float>;
using I32 = std::vector<int32_t>;
using U32 = std::vector<uint32_t>;
using Bytes = std::vector<uint8_t>;

enum class StreamType { f32, i32, u32, bytes };

// The variant index equals the StreamType value.
using Stream = std::variant<F32, I32, U32, Bytes>;

inline StreamType type_of(const Stream& s) { return static_cast<StreamType>(s.index()); }

const char* type_name(StreamType t);

template <class T> constexpr StreamType stream_type_of();
template <> constexpr StreamType stream_type_of<F32>() { return StreamType::f32; }
template <> constexpr StreamType stream_type_of<I32>() { return StreamType::i32; }
template <> constexpr StreamType stream_type_of<U32>() { return StreamType::u32; }
template <> constexpr StreamType stream_type_of<Bytes>() { return StreamType::bytes; }

// Number of elements (not bytes) in a stream.
size_t element_count(const Stream& s);

Stream empty_stream(StreamType t);
// Appends src to dst; a different type is an lcz::Error (codec).
void append(Stream& dst, const Stream& src);
// Elements [begin, end) of s; a range outside s is an lcz::Error (codec).
Stream slice(const Stream& s, size_t begin, size_t end);

}  // namespace lcz
