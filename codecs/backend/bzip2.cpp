#include "codecs/backend/bzip2.h"

#include <bzlib.h>

#include <algorithm>

#include "codecs/backend/bounded_output.h"

namespace lcz {
namespace {

constexpr const char* kName = "bzip2";
// The bz_stream counters are unsigned int: feed at most this much per call.
constexpr size_t kMaxChunk = size_t{1} << 30;

const char* bz_error_text(int code) {
  switch (code) {
    case BZ_DATA_ERROR: return "block or stream CRC mismatch or inconsistent data";
    case BZ_DATA_ERROR_MAGIC: return "not a bzip2 stream (bad magic)";
    case BZ_MEM_ERROR: return "out of memory";
    case BZ_PARAM_ERROR: return "bad parameter";
    case BZ_SEQUENCE_ERROR: return "call sequence error";
    default: return "unexpected libbz2 result";
  }
}

// Owns a bz_stream so every exit path, thrown or not, releases the library's memory.
struct Bz2Compressor {
  bz_stream s{};
  explicit Bz2Compressor(int level) {
    // workFactor 0 = library default (30), verbosity 0: what Python's bz2 module passes.
    if (BZ2_bzCompressInit(&s, level, 0, 0) != BZ_OK) throw_refused(kName, "BZ2_bzCompressInit failed");
  }
  ~Bz2Compressor() { BZ2_bzCompressEnd(&s); }
};

struct Bz2Decompressor {
  bz_stream s{};
  explicit Bz2Decompressor(size_t offset) {
    if (BZ2_bzDecompressInit(&s, 0, 0) != BZ_OK) throw_corrupt(kName, offset, "BZ2_bzDecompressInit failed");
  }
  ~Bz2Decompressor() { BZ2_bzDecompressEnd(&s); }
};

class Bzip2 final : public TypedStage<Bytes, Bytes> {
 public:
  Bzip2(int level, uint64_t max_decoded) : level_(level), max_decoded_(max_decoded) {}

 protected:
  Bytes encode_typed(const Bytes& in) const override {
    Bz2Compressor c(level_);
    // Worst case per the bzip2 manual: 1% + 600 bytes.
    Bytes out(in.size() + in.size() / 100 + 600);
    size_t in_pos = 0, out_pos = 0;
    int ret;
    do {
      if (out_pos == out.size()) out.resize(out.size() + out.size() / 2);  // past the documented bound: never, but no spin
      // Chunk sizes depend only on the input size, so the output is deterministic.
      size_t in_chunk = std::min(in.size() - in_pos, kMaxChunk);
      size_t out_chunk = std::min(out.size() - out_pos, kMaxChunk);
      c.s.next_in = reinterpret_cast<char*>(const_cast<uint8_t*>(in.data() + in_pos));
      c.s.avail_in = static_cast<unsigned>(in_chunk);
      c.s.next_out = reinterpret_cast<char*>(out.data() + out_pos);
      c.s.avail_out = static_cast<unsigned>(out_chunk);
      bool last = in_pos + in_chunk == in.size();
      ret = BZ2_bzCompress(&c.s, last ? BZ_FINISH : BZ_RUN);
      in_pos += in_chunk - c.s.avail_in;
      out_pos += out_chunk - c.s.avail_out;
      if (ret != BZ_RUN_OK && ret != BZ_FINISH_OK && ret != BZ_STREAM_END) throw_refused(kName, bz_error_text(ret));
    } while (ret != BZ_STREAM_END);
    out.resize(out_pos);
    return out;
  }

  Bytes decode_typed(const Bytes& in) const override {
    BoundedOutput out(kName, max_decoded_, in.size());
    size_t in_pos = 0;
    // Concatenated streams (what `cat a.bz2 b.bz2` gives) decode as bzip2 -d does them; anything
    // after a stream that is not another whole stream fails on its magic or as truncated.
    do decode_one_stream(in, in_pos, out);
    while (in_pos < in.size());
    return std::move(out).take();
  }

 private:
  static void decode_one_stream(const Bytes& in, size_t& in_pos, BoundedOutput& out) {
    Bz2Decompressor d(in_pos);
    for (;;) {
      size_t in_chunk = std::min(in.size() - in_pos, kMaxChunk);
      auto room = out.room(kMaxChunk);
      d.s.next_in = reinterpret_cast<char*>(const_cast<uint8_t*>(in.data() + in_pos));
      d.s.avail_in = static_cast<unsigned>(in_chunk);
      d.s.next_out = reinterpret_cast<char*>(room.data());
      d.s.avail_out = static_cast<unsigned>(room.size());
      int ret = BZ2_bzDecompress(&d.s);
      size_t consumed = in_chunk - d.s.avail_in;
      size_t written = room.size() - d.s.avail_out;
      in_pos += consumed;
      if (ret != BZ_OK && ret != BZ_STREAM_END) throw_corrupt(kName, in_pos, bz_error_text(ret));
      out.produced(written, in_pos);
      if (ret == BZ_STREAM_END) return;
      // Room left over with every input byte taken, or no progress at all: the stream is cut short.
      if ((d.s.avail_out > 0 && in_pos == in.size()) || (consumed == 0 && written == 0))
        throw_corrupt(kName, in_pos, "stream ends before its end-of-stream marker");
    }
  }

  int level_;
  uint64_t max_decoded_;
};

// "1.0.8, 13-Jul-2019" -> "1.0.8"
std::string bz2_version() {
  std::string v = BZ2_bzlibVersion();
  return v.substr(0, v.find(','));
}

}  // namespace

StageDescriptor bzip2_stage() {
  return {.name = kName,
          .kind = StageKind::backend,
          .input = StreamType::bytes,
          .output = StreamType::bytes,
          .doc = "bzip2 (libbz2): one stream, identical to Python's bz2.compress at the same level",
          .params = {{.name = "level",
                      .type = ParamType::integer,
                      .default_value = 9,
                      .min = 1,
                      .max = 9,
                      .choices = {},
                      .doc = "block size in units of 100 kB (blockSize100k); 9 compresses best"}},
          .library_version = [] { return "libbz2 " + bz2_version(); },
          .make = [](const Params& p, const StageContext& ctx) {
            return std::make_unique<Bzip2>(static_cast<int>(p.integer("level")), ctx.max_decoded_bytes);
          }};
}

}  // namespace lcz
