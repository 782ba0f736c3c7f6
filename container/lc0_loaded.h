// How lc0 loads a tensor of a written net, under every LINEAR16 decoder lc0 uses
// (kLc0Linear16Decoders), and which output encodings a tensor may be written in: the rules
// compress checks before writing a container and every reader checks before writing a net.
// Lc0 format rules: with the format interface they belong to the Lc0 format's folder.
#pragma once
#include <cmath>
#include <cstddef>
#include <span>
#include <string>

#include "codecs/quantize/linear16.h"
#include "container/container.h"
#include "nets/net.h"

namespace lcz {

// What each decoder reads for each weight stored in `encoding`: for LINEAR16 the index
// nearest the value (release formula, as the writer picks it and as the net reader recovers
// it from a layer's decoded values) read each decoder's way; for FLOAT16/BFLOAT16 the value
// rounded to that kind; otherwise the value itself. Only LINEAR16 readings differ by decoder.
class Lc0Readings {
 public:
  Lc0Readings(std::span<const float> values, const SourceEncoding& encoding) : values_(values), encoding_(encoding) {}
  // Weight i as stored: its LINEAR16 index (-1 for other kinds) and the release reading.
  struct Stored {
    int32_t u = -1;
    float release = 0;
  };
  Stored stored(size_t i) const;
  Linear16Readings readings(const Stored& s) const;  // all five, for stored(i)
  Linear16Readings operator[](size_t i) const { return readings(stored(i)); }
  // linear16_reading_spread of a LINEAR16 encoding's range; 0 for the others.
  double spread() const;

 private:
  std::span<const float> values_;
  SourceEncoding encoding_;
};

// The largest |loaded - original| over the weights and the decoders: the original stored in
// `source` (a net file's own encoding), the decoded values written in `output`. A NaN is an
// infinite error.
struct LoadedError {
  double max_error = 0;
  size_t worst = 0;    // weight index
  size_t decoder = 0;  // index into kLc0Linear16Decoders
  std::string decoder_name() const { return linear16_decoder_name(kLc0Linear16Decoders[decoder]); }
};
// With a `limit`, it stops at the first weight whose error exceeds it (a check, not a measure).
LoadedError loaded_error(std::span<const float> original, const SourceEncoding& source, std::span<const float> decoded,
                         const SourceEncoding& output, double limit = HUGE_VAL);

// Whether a tensor of `source` kind may be written in `output` kind: an Lc0 LINEAR16 layer
// only as LINEAR16 (released lc0 loads nothing else), FLOAT16/BFLOAT16 as themselves or
// FLOAT32, FLOAT32 as FLOAT32; a raw float32 or .npy tensor (kind none or FLOAT32) as
// float32.
bool output_kind_allowed(SourceFormat format, SourceEncoding::Kind source, SourceEncoding::Kind output);

// Why decoded values contradict the output encoding a container stores for them, or "" if
// they do not: a kind the source kind does not allow, or a value that, written in that
// encoding, is read back (release formula for LINEAR16) farther than tol from itself.
// compress accepts only outputs for which this is "", so every file it writes passes.
std::string output_contradiction(SourceFormat format, const TensorLayout& layout, const SourceEncoding& output,
                                 std::span<const float> decoded, double tolerance);

}  // namespace lcz
