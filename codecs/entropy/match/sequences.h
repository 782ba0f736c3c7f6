// Matches of an int32 stream (used by the rans and cm coders): runs of values that repeat,
// exactly or negated, values seen
// earlier in the same stream (any lag, also lag < length: a run of one value is a match at
// lag 1). Static context tables cannot see a repeat; a match costs a few dozen bits however
// long it is. Layout of the sequence section (format.h):
//
//   per sequence, LSB-first bits:
//     gamma(literals + 1)       values coded as literals before the match
//     gamma(length - kMinMatch + 1)
//     5 bits: bit_width(offset) - 1, then the bits of offset below its leading one
//     1 bit: negate
//   gamma(x), x >= 1: bit_width(x) - 1 zero bits, a one, then the bits of x below its leading one.
//
// A sequence copies `literals` values from the literal stream, then `length` values, value k
// being (negated if `negate`) the output value `offset` positions before it. After the last
// sequence the rest of the literals follow.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "codecs/core/byte_io.h"
#include "codecs/core/stream.h"

namespace lcz::match {

inline constexpr uint32_t kMinMatch = 4;  // shortest match a stream may hold

struct Sequence {
  uint32_t literals = 0;
  uint32_t length = 0;   // >= kMinMatch
  uint32_t offset = 0;   // >= 1, at most the values before the match
  bool negate = false;
};

// Bits write_sequences spends on one sequence (for the encoder's choice of matches).
int sequence_bits(const Sequence& s);

void write_sequences(std::span<const Sequence> sequences, Bytes& out);
// The sequence section of the rans and cm streams: varint S, and if S > 0 the varint byte
// length of the sequences, then write_sequences' bytes.
void write_sequence_section(std::span<const Sequence> sequences, ByteWriter& w);

// Reads `count` sequences from `in` (which must hold them exactly, up to the zero padding of
// the last byte) and checks them against a stream of `values` values: every match lies inside
// the stream and refers only to values before it, literals and matches together cover at most
// `values`. `stage` and `base` (the stream offset of `in`) are for messages. Throws
// lcz::Error (codec).
std::vector<Sequence> read_sequences(std::span<const uint8_t> in, const char* stage, size_t base, uint64_t count,
                                     uint64_t values);

// Values covered by the matches.
uint64_t matched_values(std::span<const Sequence> sequences);

// Decoder side: writes the `length` values of a match at dst, each the value `offset` before
// it (negated if asked, wrapping: INT_MIN stays INT_MIN), as if one at a time in order, so
// that a match overlapping itself (offset < length) repeats what it has just written. Needs
// the `offset` values before dst.
void write_match(int32_t* dst, uint32_t offset, uint32_t length, bool negate);

// Decoder side: writes a stream from its checked sequences and its literals, which come in
// order in any number of pieces; a match is written as soon as the literals before it are in,
// so that a piece is moved while it is still in cache. A piece may lie in `out` itself at or
// after the next value to be written (every write lands at or before the next literal to be
// read: the literals move down in place), or anywhere else.
class SequenceWriter {
 public:
  SequenceWriter(std::span<const Sequence> sequences, int32_t* out);
  // The next `count` literals (count 0 too: writes the matches that need no more literals).
  void literals(const int32_t* lit, size_t count);

 private:
  std::span<const Sequence> sequences_;
  int32_t* out_;
  size_t next_ = 0;      // the sequence whose literals are coming
  uint64_t pending_;     // its literals still to come (after the last sequence: no limit)
  size_t pos_ = 0;       // the next value to be written
};

// out[0, n) holds the literal_count literals in its last literal_count values (literal_count
// = n - matched_values); runs the checked sequences over it in place.
void apply_sequences(std::span<const Sequence> sequences, int32_t* out, size_t n, size_t literal_count);

// The context byte of each literal, in order, for a stream of n values whose last
// context.size() values have the bytes of `context` (the values before them have 0).
std::vector<uint8_t> literal_contexts(std::span<const Sequence> sequences, std::span<const uint8_t> context, size_t n);

}  // namespace lcz::match
