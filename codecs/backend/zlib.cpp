#include "codecs/backend/zlib.h"

#include <zlib.h>

#include <algorithm>

#include "codecs/backend/bounded_output.h"

namespace lcz {
namespace {

constexpr const char* kName = "zlib";
// z_stream counters are uInt: feed at most this much per call.
constexpr size_t kMaxChunk = size_t{1} << 30;

// Owns a z_stream so every exit path releases the library's memory.
struct Deflater {
  z_stream s{};
  explicit Deflater(int level) {
    // Window 15, memLevel 8, default strategy: what compress2 and Python's zlib.compress use.
    if (deflateInit(&s, level) != Z_OK) throw_refused(kName, "deflateInit failed");
  }
  ~Deflater() { deflateEnd(&s); }
};

struct Inflater {
  z_stream s{};
  Inflater() {
    if (inflateInit(&s) != Z_OK) throw_corrupt(kName, 0, "inflateInit failed");
  }
  ~Inflater() { inflateEnd(&s); }
};

class Zlib final : public TypedStage<Bytes, Bytes> {
 public:
  Zlib(int level, uint64_t max_decoded) : level_(level), max_decoded_(max_decoded) {}

 protected:
  Bytes encode_typed(const Bytes& in) const override {
    Deflater z(level_);
    // The whole bound up front: deflate's stored blocks (level 0) are sized by avail_out, so the
    // output buffer size must not vary between runs.
    Bytes out(deflateBound(&z.s, in.size()));
    size_t in_pos = 0, out_pos = 0;
    int ret;
    do {
      if (out_pos == out.size()) out.resize(out.size() + out.size() / 2);  // past the bound: never, but no spin
      size_t in_chunk = std::min(in.size() - in_pos, kMaxChunk);
      size_t out_chunk = std::min(out.size() - out_pos, kMaxChunk);
      z.s.next_in = const_cast<Bytef*>(in.data() + in_pos);
      z.s.avail_in = static_cast<uInt>(in_chunk);
      z.s.next_out = out.data() + out_pos;
      z.s.avail_out = static_cast<uInt>(out_chunk);
      bool last = in_pos + in_chunk == in.size();
      ret = deflate(&z.s, last ? Z_FINISH : Z_NO_FLUSH);
      in_pos += in_chunk - z.s.avail_in;
      out_pos += out_chunk - z.s.avail_out;
      if (ret != Z_OK && ret != Z_STREAM_END && ret != Z_BUF_ERROR)
        throw_refused(kName, z.s.msg ? z.s.msg : "deflate failed");
    } while (ret != Z_STREAM_END);
    out.resize(out_pos);
    return out;
  }

  Bytes decode_typed(const Bytes& in) const override {
    Inflater z;
    BoundedOutput out(kName, max_decoded_, in.size());
    size_t in_pos = 0;
    for (;;) {
      size_t in_chunk = std::min(in.size() - in_pos, kMaxChunk);
      auto room = out.room(kMaxChunk);
      z.s.next_in = const_cast<Bytef*>(in.data() + in_pos);
      z.s.avail_in = static_cast<uInt>(in_chunk);
      z.s.next_out = room.data();
      z.s.avail_out = static_cast<uInt>(room.size());
      int ret = inflate(&z.s, Z_NO_FLUSH);
      size_t consumed = in_chunk - z.s.avail_in;
      size_t written = room.size() - z.s.avail_out;
      in_pos += consumed;
      if (ret == Z_NEED_DICT) throw_corrupt(kName, in_pos, "stream needs a preset dictionary");
      if (ret != Z_OK && ret != Z_STREAM_END && ret != Z_BUF_ERROR)
        throw_corrupt(kName, in_pos, z.s.msg ? z.s.msg : "inflate failed");
      out.produced(written, in_pos);
      if (ret == Z_STREAM_END) break;
      // Room left over with every input byte taken, or no progress at all: the stream is cut short.
      if ((z.s.avail_out > 0 && in_pos == in.size()) || (consumed == 0 && written == 0))
        throw_corrupt(kName, in_pos, "stream ends before its Adler-32 trailer");
    }
    if (in_pos != in.size()) throw_corrupt(kName, in_pos, std::to_string(in.size() - in_pos) + " bytes after the stream");
    return std::move(out).take();
  }

 private:
  int level_;
  uint64_t max_decoded_;
};

}  // namespace

StageDescriptor zlib_stage() {
  return {.name = kName,
          .kind = StageKind::backend,
          .input = StreamType::bytes,
          .output = StreamType::bytes,
          .doc = "zlib (deflate with Adler-32): one stream, identical to zlib.compress at the same level",
          .params = {{.name = "level",
                      .type = ParamType::integer,
                      .default_value = 9,
                      .min = 0,
                      .max = 9,
                      .choices = {},
                      .doc = "deflate level; 0 stores, 9 compresses best"}},
          .library_version = [] { return std::string("zlib ") + zlibVersion(); },
          .make = [](const Params& p, const StageContext& ctx) {
            return std::make_unique<Zlib>(static_cast<int>(p.integer("level")), ctx.max_decoded_bytes);
          }};
}

}  // namespace lcz
