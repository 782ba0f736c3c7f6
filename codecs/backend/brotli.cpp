#include "codecs/backend/brotli.h"

#include <brotli/decode.h>
#include <brotli/encode.h>

#include "codecs/backend/bounded_output.h"

namespace lcz {
namespace {

constexpr const char* kName = "brotli";

struct BrotliDecoder {
  BrotliDecoderState* d = BrotliDecoderCreateInstance(nullptr, nullptr, nullptr);
  BrotliDecoder() {
    if (!d) throw_corrupt(kName, 0, "BrotliDecoderCreateInstance failed");
  }
  ~BrotliDecoder() { BrotliDecoderDestroyInstance(d); }
};

class Brotli final : public TypedStage<Bytes, Bytes> {
 public:
  Brotli(int quality, int window, uint64_t max_decoded) : quality_(quality), window_(window), max_decoded_(max_decoded) {}

 protected:
  Bytes encode_typed(const Bytes& in) const override {
    size_t bound = BrotliEncoderMaxCompressedSize(in.size());
    if (bound == 0) throw_refused(kName, "input of " + std::to_string(in.size()) + " bytes is too large");
    Bytes out(bound);
    size_t n = out.size();
    if (!BrotliEncoderCompress(quality_, window_, BROTLI_MODE_GENERIC, in.size(), in.data(), &n, out.data()))
      throw_refused(kName, "BrotliEncoderCompress failed");
    out.resize(n);
    return out;
  }

  Bytes decode_typed(const Bytes& in) const override {
    BrotliDecoder d;
    BoundedOutput out(kName, max_decoded_, in.size());
    const uint8_t* next_in = in.data();
    size_t avail_in = in.size();
    for (;;) {
      auto room = out.room();
      uint8_t* next_out = room.data();
      size_t avail_out = room.size();
      BrotliDecoderResult r = BrotliDecoderDecompressStream(d.d, &avail_in, &next_in, &avail_out, &next_out, nullptr);
      size_t in_pos = in.size() - avail_in;
      if (r == BROTLI_DECODER_RESULT_ERROR)
        throw_corrupt(kName, in_pos, BrotliDecoderErrorString(BrotliDecoderGetErrorCode(d.d)));
      out.produced(room.size() - avail_out, in_pos);
      if (r == BROTLI_DECODER_RESULT_SUCCESS) break;
      // All input is given at once, so asking for more means the stream was cut short.
      if (r == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT) throw_corrupt(kName, in_pos, "stream ends before its last meta-block");
    }
    if (avail_in > 0) throw_corrupt(kName, in.size() - avail_in, std::to_string(avail_in) + " bytes after the stream");
    return std::move(out).take();
  }

 private:
  int quality_;
  int window_;
  uint64_t max_decoded_;
};

// BrotliEncoderVersion packs major << 24 | minor << 12 | patch.
std::string brotli_version() {
  uint32_t v = BrotliEncoderVersion();
  return std::to_string(v >> 24) + "." + std::to_string((v >> 12) & 0xfff) + "." + std::to_string(v & 0xfff);
}

}  // namespace

StageDescriptor brotli_stage() {
  return {.name = kName,
          .kind = StageKind::backend,
          .input = StreamType::bytes,
          .output = StreamType::bytes,
          .doc = "brotli (libbrotlienc/dec): one raw stream, generic mode",
          .params = {{.name = "quality",
                      .type = ParamType::integer,
                      .default_value = 11,
                      .min = BROTLI_MIN_QUALITY,
                      .max = BROTLI_MAX_QUALITY,
                      .choices = {},
                      .doc = "compression quality; 10-11 are the slow context-modelling levels"},
                     {.name = "window",
                      .type = ParamType::integer,
                      .default_value = 22,
                      .min = BROTLI_MIN_WINDOW_BITS,
                      .max = BROTLI_MAX_WINDOW_BITS,
                      .choices = {},
                      .doc = "log2 of the sliding window size (lgwin), 10-24"}},
          .library_version = [] { return "libbrotli " + brotli_version(); },
          .make = [](const Params& p, const StageContext& ctx) {
            return std::make_unique<Brotli>(static_cast<int>(p.integer("quality")), static_cast<int>(p.integer("window")),
                                            ctx.max_decoded_bytes);
          }};
}

}  // namespace lcz
