// How lc0 loads a layer of a written net, under every LINEAR16 decoder lc0 uses
// (kLc0Linear16Decoders), and which output encodings a layer may be written in: the Lc0
// format's loaded_error and contradiction (formats/format.h).
#pragma once
#include <cmath>
#include <cstddef>
#include <span>
#include <string>

#include "formats/format.h"
#include "formats/lc0/linear16.h"

namespace lcz {

// What each decoder reads for each weight stored in `encoding`: for LINEAR16 the index
// nearest the value (release formula, as the writer picks it and as the net reader recovers
// it from a layer's decoded values) read each decoder's way; for FLOAT16/BFLOAT16 the value
// rounded to that kind; otherwise the value itself. Only LINEAR16 readings differ by decoder.
class Lc0Readings {
 public:
  Lc0Readings(std::span<const float> values, const SourceEncoding& encoding)
      : values_(values), encoding_(encoding), scale_(linear16_scale(encoding.min_val, encoding.max_val)) {}
  // Weight i as stored: its LINEAR16 index (-1 for other kinds) and the release reading.
  struct Stored {
    int32_t u = -1;
    float release = 0;
  };
  Stored stored(size_t i) const;
  // The release reading of an index within one of stored(i).u (for LINEAR16; else stored(i)'s):
  // at least as far from weight i as stored(i).release, found with one decode instead of up to three.
  float near_release(size_t i) const;
  Linear16Readings readings(const Stored& s) const;  // all five, for stored(i)
  Linear16Readings operator[](size_t i) const { return readings(stored(i)); }
  // linear16_reading_spread of a LINEAR16 encoding's range; 0 for the others.
  double spread() const;

 private:
  std::span<const float> values_;
  SourceEncoding encoding_;
  double scale_;  // linear16_scale of the range
};

// The largest |loaded - original| over the weights and the decoders: the original stored in
// its file's own encoding (original.source), the decoded values written in `output`; `reader`
// names the decoder where either is LINEAR16. A NaN is an infinite error. With a `limit`, it
// stops at the first weight whose error exceeds it (a check, not a measure).
LoadedError lc0_loaded_error(const Tensor& original, std::span<const float> decoded, const SourceEncoding& output,
                             double limit = HUGE_VAL);

// An Lc0 layer's output kinds: LINEAR16 only as LINEAR16 (released lc0 loads nothing else),
// FLOAT16/BFLOAT16 as themselves or FLOAT32, FLOAT32 as FLOAT32; and a decoded value that,
// written in its output encoding, reads back (release formula for LINEAR16) farther than
// `tolerance` from itself contradicts the file.
std::string lc0_contradiction(const TensorLayout& layout, const SourceEncoding& output, std::span<const float> decoded,
                              double tolerance);

}  // namespace lcz
