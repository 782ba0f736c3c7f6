// gzip, as net files travel (Lc0 .pb.gz, .onnx.gz): reading with a limit checked as the data
// streams, and writing reproducibly.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace lcz {

bool is_gzip(std::span<const uint8_t> bytes);  // starts with 1f 8b

// Whole gzip stream (all members); throws lcz::Error(input) naming source when it is not
// gzip, is corrupt or truncated, or inflates past max_bytes. The limit is checked as the data
// streams: no buffer grows past it, and the result is allocated once, at its exact size.
std::vector<uint8_t> gunzip(std::span<const uint8_t> compressed, const std::string& source, size_t max_bytes);

// A net file whose message may come gzip-compressed (.pb.gz, .onnx.gz): gunzipped up to
// max_bytes when it starts like gzip, else the file's own bytes (not copied).
struct MaybeGzip {
  std::span<const uint8_t> file;
  std::vector<uint8_t> inflated;  // when gzip
  bool gzip = false;
  std::span<const uint8_t> message() const { return gzip ? std::span<const uint8_t>(inflated) : file; }
};
MaybeGzip gunzip_if_gzip(std::span<const uint8_t> file_bytes, const std::string& source, size_t max_bytes);

// A single gzip member, no file name or time stamp (same bytes every run).
// level: zlib's 1 (fastest) .. 9; -1 its default (6).
std::vector<uint8_t> gzip_compress(std::span<const uint8_t> bytes, int level = -1);

}  // namespace lcz
