#include "codecs/backend/zstd.h"

#include <zstd.h>

#include "codecs/backend/bounded_output.h"

namespace lcz {
namespace {

constexpr const char* kName = "zstd";
// Window of the long-distance mode, and the largest window the decoder accepts (zstd's own
// default limit), so a frame cannot make the decoder reserve more than 128 MiB.
constexpr int kLongWindowLog = 27;

struct ZstdCompressor {
  ZSTD_CCtx* c = ZSTD_createCCtx();
  ZstdCompressor() {
    if (!c) throw_refused(kName, "ZSTD_createCCtx failed");
  }
  ~ZstdCompressor() { ZSTD_freeCCtx(c); }
  void set(ZSTD_cParameter p, int v) const {
    size_t r = ZSTD_CCtx_setParameter(c, p, v);
    if (ZSTD_isError(r)) throw_refused(kName, ZSTD_getErrorName(r));
  }
};

struct ZstdDecompressor {
  ZSTD_DCtx* d = ZSTD_createDCtx();
  ZstdDecompressor() {
    if (!d) throw_corrupt(kName, 0, "ZSTD_createDCtx failed");
  }
  ~ZstdDecompressor() { ZSTD_freeDCtx(d); }
};

class Zstd final : public TypedStage<Bytes, Bytes> {
 public:
  Zstd(int level, bool long_mode, uint64_t max_decoded)
      : level_(level), long_mode_(long_mode), max_decoded_(max_decoded) {}

 protected:
  Bytes encode_typed(const Bytes& in) const override {
    ZstdCompressor c;
    c.set(ZSTD_c_compressionLevel, level_);
    c.set(ZSTD_c_contentSizeFlag, 1);
    // Without a checksum a flipped byte in a raw or literal block decodes to wrong data silently.
    c.set(ZSTD_c_checksumFlag, 1);
    if (long_mode_) {
      c.set(ZSTD_c_enableLongDistanceMatching, 1);
      c.set(ZSTD_c_windowLog, kLongWindowLog);
    }
    // Single-threaded (nbWorkers 0, the default): the output depends on the input only.
    Bytes out(ZSTD_compressBound(in.size()));
    size_t n = ZSTD_compress2(c.c, out.data(), out.size(), in.data(), in.size());
    if (ZSTD_isError(n)) throw_refused(kName, ZSTD_getErrorName(n));
    out.resize(n);
    return out;
  }

  Bytes decode_typed(const Bytes& in) const override {
    unsigned long long claimed = ZSTD_getFrameContentSize(in.data(), in.size());
    // ERROR also covers a header cut short; the streaming decoder below says which.
    bool has_size = claimed != ZSTD_CONTENTSIZE_UNKNOWN && claimed != ZSTD_CONTENTSIZE_ERROR;
    if (has_size && claimed > max_decoded_)
      throw_corrupt(kName, 0, "frame content size " + std::to_string(claimed) + " exceeds max_decoded_bytes (" +
                                  std::to_string(max_decoded_) + ")");

    ZstdDecompressor d;
    size_t r = ZSTD_DCtx_setParameter(d.d, ZSTD_d_windowLogMax, kLongWindowLog);
    if (ZSTD_isError(r)) throw_corrupt(kName, 0, ZSTD_getErrorName(r));
    BoundedOutput out(kName, max_decoded_, in.size(), has_size ? claimed : 0);
    ZSTD_inBuffer src{in.data(), in.size(), 0};
    for (;;) {
      auto room = out.room();
      ZSTD_outBuffer dst{room.data(), room.size(), 0};
      size_t before = src.pos;
      size_t ret = ZSTD_decompressStream(d.d, &dst, &src);
      if (ZSTD_isError(ret)) throw_corrupt(kName, src.pos, ZSTD_getErrorName(ret));
      out.produced(dst.pos, src.pos);
      if (ret == 0) break;  // frame complete and flushed
      if ((dst.pos < dst.size && src.pos == src.size) || (src.pos == before && dst.pos == 0))
        throw_corrupt(kName, src.pos, "frame ends before its last block");
    }
    if (src.pos != src.size)
      throw_corrupt(kName, src.pos, std::to_string(src.size - src.pos) + " bytes after the frame");
    if (has_size && out.size() != claimed)
      throw_corrupt(kName, src.pos, "decoded " + std::to_string(out.size()) + " bytes, the frame says " +
                                        std::to_string(claimed));
    return std::move(out).take();
  }

 private:
  int level_;
  bool long_mode_;
  uint64_t max_decoded_;
};

}  // namespace

StageDescriptor zstd_stage() {
  return {.name = kName,
          .kind = StageKind::backend,
          .input = StreamType::bytes,
          .output = StreamType::bytes,
          .doc = "zstd (libzstd): one frame with content size and checksum",
          .params = {{.name = "level",
                      .type = ParamType::integer,
                      .default_value = 19,
                      .min = 1,
                      .max = 22,
                      .choices = {},
                      .doc = "compression level; 20-22 are the 'ultra' levels with larger windows"},
                     {.name = "long",
                      .type = ParamType::boolean,
                      .default_value = false,
                      .min = {},
                      .max = {},
                      .choices = {},
                      .doc = "long-distance matching with a 128 MiB window (windowLog 27)"}},
          .library_version = [] { return std::string("libzstd ") + ZSTD_versionString(); },
          .make = [](const Params& p, const StageContext& ctx) {
            return std::make_unique<Zstd>(static_cast<int>(p.integer("level")), p.boolean("long"),
                                          ctx.max_decoded_bytes);
          }};
}

}  // namespace lcz
