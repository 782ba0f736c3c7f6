#include "codecs/backend/xz.h"

#include <lzma.h>

#include "codecs/backend/bounded_output.h"

namespace lcz {
namespace {

constexpr const char* kName = "xz";
// Preset 9 needs about 65 MiB to decode; a stream that asks for more than this was not made here.
constexpr uint64_t kDecoderMemlimit = uint64_t{256} << 20;

const char* lzma_error_text(lzma_ret r) {
  switch (r) {
    case LZMA_MEM_ERROR: return "out of memory";
    case LZMA_MEMLIMIT_ERROR: return "stream needs more memory than the 256 MiB decoder limit";
    case LZMA_FORMAT_ERROR: return "not an .xz stream (bad magic)";
    case LZMA_OPTIONS_ERROR: return "unsupported or invalid options";
    case LZMA_DATA_ERROR: return "corrupt data (CRC or structure mismatch)";
    case LZMA_BUF_ERROR: return "stream ends before its footer";
    case LZMA_UNSUPPORTED_CHECK: return "unsupported integrity check";
    case LZMA_PROG_ERROR: return "invalid arguments";
    default: return "unexpected liblzma result";
  }
}

// Owns an lzma_stream so every exit path releases the library's memory.
struct LzmaStream {
  lzma_stream s = LZMA_STREAM_INIT;
  ~LzmaStream() { lzma_end(&s); }
};

class Xz final : public TypedStage<Bytes, Bytes> {
 public:
  Xz(uint32_t preset, uint64_t max_decoded) : preset_(preset), max_decoded_(max_decoded) {}

 protected:
  Bytes encode_typed(const Bytes& in) const override {
    LzmaStream z;
    // The single-threaded streaming encoder (not the buffer encoder, whose block headers differ),
    // so the bytes match xz and Python's lzma module.
    lzma_ret r = lzma_easy_encoder(&z.s, preset_, LZMA_CHECK_CRC64);
    if (r != LZMA_OK) throw_refused(kName, lzma_error_text(r));
    Bytes out(lzma_stream_buffer_bound(in.size()));
    z.s.next_in = in.data();
    z.s.avail_in = in.size();
    z.s.next_out = out.data();
    z.s.avail_out = out.size();
    do {
      if (z.s.avail_out == 0) {  // past the documented bound: never, but no spin
        size_t used = out.size();
        out.resize(used + used / 2);
        z.s.next_out = out.data() + used;
        z.s.avail_out = out.size() - used;
      }
      r = lzma_code(&z.s, LZMA_FINISH);
    } while (r == LZMA_OK);
    if (r != LZMA_STREAM_END) throw_refused(kName, lzma_error_text(r));
    out.resize(out.size() - z.s.avail_out);
    return out;
  }

  Bytes decode_typed(const Bytes& in) const override {
    LzmaStream z;
    // No LZMA_CONCATENATED: one stream, and any bytes after it are an error.
    lzma_ret r = lzma_stream_decoder(&z.s, kDecoderMemlimit, 0);
    if (r != LZMA_OK) throw_corrupt(kName, 0, lzma_error_text(r));
    BoundedOutput out(kName, max_decoded_, in.size());
    z.s.next_in = in.data();
    z.s.avail_in = in.size();
    for (;;) {
      auto room = out.room();
      z.s.next_out = room.data();
      z.s.avail_out = room.size();
      r = lzma_code(&z.s, LZMA_FINISH);
      size_t in_pos = in.size() - z.s.avail_in;
      if (r != LZMA_OK && r != LZMA_STREAM_END) throw_corrupt(kName, in_pos, lzma_error_text(r));
      out.produced(room.size() - z.s.avail_out, in_pos);
      if (r == LZMA_STREAM_END) break;
      // With LZMA_FINISH a cut stream gives LZMA_BUF_ERROR; this catches any other stall.
      if (z.s.avail_out > 0 && z.s.avail_in == 0) throw_corrupt(kName, in_pos, lzma_error_text(LZMA_BUF_ERROR));
    }
    if (z.s.avail_in > 0)
      throw_corrupt(kName, in.size() - z.s.avail_in, std::to_string(z.s.avail_in) + " bytes after the stream");
    return std::move(out).take();
  }

 private:
  uint32_t preset_;
  uint64_t max_decoded_;
};

}  // namespace

StageDescriptor xz_stage() {
  return {.name = kName,
          .kind = StageKind::backend,
          .input = StreamType::bytes,
          .output = StreamType::bytes,
          .doc = "xz (liblzma, LZMA2): one .xz stream with CRC64",
          .params = {{.name = "preset",
                      .type = ParamType::integer,
                      .default_value = 6,
                      .min = 0,
                      .max = 9,
                      .choices = {},
                      .doc = "xz preset 0-9 (dictionary 256 KiB to 64 MiB)"},
                     {.name = "extreme",
                      .type = ParamType::boolean,
                      .default_value = false,
                      .min = {},
                      .max = {},
                      .choices = {},
                      .doc = "the slower 'extreme' variant of the preset (xz -e)"}},
          .library_version = [] { return std::string("liblzma ") + lzma_version_string(); },
          .make = [](const Params& p, const StageContext& ctx) {
            uint32_t preset = static_cast<uint32_t>(p.integer("preset"));
            if (p.boolean("extreme")) preset |= LZMA_PRESET_EXTREME;
            return std::make_unique<Xz>(preset, ctx.max_decoded_bytes);
          }};
}

}  // namespace lcz
