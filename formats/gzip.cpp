#include "formats/gzip.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "codecs/core/error.h"

namespace lcz {
namespace {

// zlib counts in uInt: feed and drain it in slices no larger than this.
constexpr size_t kZlibSlice = size_t{1} << 30;

struct InflateStream {
  z_stream z{};
  InflateStream() {
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) throw std::runtime_error("zlib: inflateInit2 failed");
  }
  ~InflateStream() { inflateEnd(&z); }
};

}  // namespace

bool is_gzip(std::span<const uint8_t> bytes) {
  return bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
}

namespace {

// Inflates every gzip member of `compressed` through a small scratch buffer, handing each
// piece to emit(data, size), and stops with an error the moment the total passes max_bytes:
// nothing is held beyond the limit, whatever the file claims. Returns the total.
template <class Emit>
size_t inflate_members(std::span<const uint8_t> compressed, const std::string& source, size_t max_bytes, Emit emit) {
  InflateStream stream;
  z_stream& z = stream.z;
  uint8_t scratch[1 << 16];
  size_t fed = 0, produced = 0;
  for (;;) {
    if (z.avail_in == 0 && fed < compressed.size()) {
      z.next_in = const_cast<Bytef*>(compressed.data() + fed);
      z.avail_in = static_cast<uInt>(std::min(compressed.size() - fed, kZlibSlice));
      fed += z.avail_in;
    }
    z.next_out = scratch;
    z.avail_out = sizeof scratch;
    const int rc = inflate(&z, Z_NO_FLUSH);
    const size_t piece = sizeof scratch - z.avail_out;
    if (piece > max_bytes - produced)
      throw_input(source + ": gzip content inflates past " + std::to_string(max_bytes) +
                  " bytes, the most this reader accepts (refused while inflating, at compressed offset " +
                  std::to_string(fed - z.avail_in) + ")");
    emit(scratch, piece);
    produced += piece;
    const size_t consumed = fed - z.avail_in;
    if (rc == Z_STREAM_END) {
      if (consumed == compressed.size()) break;
      // Concatenated members are one gzip file (gzread reads them all); anything else is not.
      if (!is_gzip(compressed.subspan(consumed)))
        throw_input(source + ": " + std::to_string(compressed.size() - consumed) +
                    " bytes of trailing garbage after the gzip stream at offset " + std::to_string(consumed));
      inflateReset(&z);
      continue;
    }
    if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT)
      throw_input(source + ": corrupt gzip data near compressed offset " + std::to_string(consumed) + ": " +
                  (z.msg ? z.msg : "invalid data"));
    if (rc == Z_MEM_ERROR) throw std::bad_alloc();
    if (rc != Z_OK && rc != Z_BUF_ERROR) throw std::runtime_error("zlib: inflate returned " + std::to_string(rc));
    // All input consumed, output room left, stream not finished: the file was cut short.
    if (z.avail_in == 0 && fed == compressed.size() && z.avail_out != 0)
      throw_input(source + ": truncated gzip stream (ends after " + std::to_string(compressed.size()) +
                  " bytes, " + std::to_string(produced) + " bytes inflated)");
  }
  return produced;
}

}  // namespace

std::vector<uint8_t> gunzip(std::span<const uint8_t> compressed, const std::string& source, size_t max_bytes) {
  if (!is_gzip(compressed)) throw_input(source + ": not gzip data (no 1f 8b magic)");
  // Two passes: the first counts (and enforces the limit) without keeping anything, the
  // second fills a buffer of exactly that size. Inflating twice costs far less than the
  // peak of a growing buffer (2x while it is copied) or a size taken on the file's word.
  const size_t size = inflate_members(compressed, source, max_bytes, [](const uint8_t*, size_t) {});
  std::vector<uint8_t> out(size);
  size_t at = 0;
  inflate_members(compressed, source, size, [&](const uint8_t* data, size_t n) {
    std::memcpy(out.data() + at, data, n);
    at += n;
  });
  return out;
}

std::vector<uint8_t> gzip_compress(std::span<const uint8_t> bytes, int level) {
  z_stream z{};
  // 16 + window bits: gzip wrapper; zlib writes mtime 0 and no name, so output is reproducible.
  if (deflateInit2(&z, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("zlib: deflateInit2 failed");
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&z, deflateEnd);
  std::vector<uint8_t> out;
  size_t fed = 0;
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    if (z.avail_in == 0 && fed < bytes.size()) {
      z.next_in = const_cast<Bytef*>(bytes.data() + fed);
      z.avail_in = static_cast<uInt>(std::min(bytes.size() - fed, kZlibSlice));
      fed += z.avail_in;
    }
    const size_t produced = out.size();
    out.resize(produced + std::max<size_t>(deflateBound(&z, z.avail_in), 1 << 16));
    z.next_out = out.data() + produced;
    z.avail_out = static_cast<uInt>(out.size() - produced);
    rc = deflate(&z, fed == bytes.size() ? Z_FINISH : Z_NO_FLUSH);
    out.resize(out.size() - z.avail_out);
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
      throw std::runtime_error("zlib: deflate returned " + std::to_string(rc));
  }
  return out;
}

MaybeGzip gunzip_if_gzip(std::span<const uint8_t> file_bytes, const std::string& source, size_t max_bytes) {
  MaybeGzip m{.file = file_bytes, .gzip = is_gzip(file_bytes)};
  if (m.gzip) m.inflated = gunzip(file_bytes, source, max_bytes);
  return m;
}

}  // namespace lcz
