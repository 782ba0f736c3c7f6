// The `rans` stream format, shared by encoder and decoder: constants, the symbolizer
// (int32 value -> token + raw bits) and the layout written below.
//
// Stream:   u8 version (3, or 4: coded in a base context) | varint value count n
//           | varint sequence count S | if S > 0: varint sequence bytes | sequences (sequences.h)
//           | version 4: varint cell map bytes | cell map (below)
//           | literal blocks, until the literal count L is reached
// The sequences say which runs of values repeat earlier ones (copied or negated) and how many
// literals come between them; L = n minus the values the matches cover. Without sequences the
// literals are the values. The literals form one stream of their own, cut into blocks:
// Block:    varint values in the block (>= 1) | u8 mode | mode payload
//   mode 0 (rans):
//     u8 P (table precision 8..15, total 2^P)
//     u8 K (tables, 1..8) | K-1 u8 context boundaries, strictly increasing in 1..128
//     K u8 m_k (mantissa bits folded into the tokens of table k, 0..3)
//     varint table bytes | tables (table k over token_count(m_k) tokens), bit-coded (see table_code.h)
//     varint rANS bytes  | 4 lane states as u32le, then 16-bit words as u16le
//     varint raw bytes   | sign + low mantissa bits per value, LSB first, zero-padded to a byte
//   mode 1 (packed): u8 width (0..32) | zigzag values, `width` bits each, LSB first
//   mode 2 (rans in a base context; only in a stream coded in a context, Stage::encode_in_context):
//     as mode 0, but the context of a group mixes e with the base: base_group_context below
//     (written by version 3 encoders in a base context; read in both versions)
//   mode 3 (rans in base cells; version 4 only): every value has its own table, chosen by its
//     cell: the level of the running context e (level_of) and the value's base context byte.
//     The stream's cell map groups the cells into clusters; the block maps clusters to tables:
//     u8 P | u8 K (1..16) | K u8 m_k (0..2) | u8 C (the map's cluster count)
//     | C u8 table of cluster (< K) | varint table bytes | tables (table k over
//     signed_token_count(m_k) tokens) | varint rANS bytes, as mode 0
//     | varint raw bytes: the low mantissa bits only (the sign is in the token)
//     Tokens are signed: 0 is v = 0, t in 1..T-1 the token t of mode 0 for v > 0, T-1+t the
//     token t for v < 0 (T = token_count(m)): where the base's prediction lies between two
//     integers says which way a small residual goes, which a sign bit could not learn.
//
// Cell map (version 4), bit-coded LSB first (bit_reader.h), zero-padded to a byte:
// 6 bits C - 1 (C clusters, 1..64), then the cells row by row (context byte 0..255), in each
// row level by level: a bit 1 if the cell's cluster is that of the cell before it (level 0:
// the same level of the row before; the very first cell: cluster 0), else a 0 and the
// cluster in bit_width(C - 1) bits (< C).
//
// A value v is coded as a token (its magnitude class plus the top m bits below the leading
// one: a log-linear bucket, m chosen per table: contexts of small scale gain nothing from
// mantissa bits in their tokens, those of large scale do) through rANS, and its remaining low bits and its sign as raw bits:
// the low bits of weights are close to uniform, so entropy coding them would buy nothing
// and cost speed.
//
// Values go in groups of 4, value j of a group to rANS lane j. All tokens of a group are
// coded with the same table, chosen by a context that tracks the local scale: e = 0 at the
// start of a block; after each group, e = (e + S + 1) >> 1 with S the sum of the group's
// magnitude classes (so e is a running mean of 4x the class, 0..128). Table k codes the
// groups whose e lies in [boundary k-1, boundary k). Conditioning on the previous group
// instead of the previous value codes slightly better on weights, and the 4 tokens of a
// group decode independently of each other, which keeps the decoder's dependency chain short.
//
// rANS (one state per lane, x in [2^15, 2^31)): a table gives token t the slots
// [start_t, start_t + f_t) of [0, 2^P), in token order. Decoding a value of lane j: slot =
// x & (2^P - 1), t = the token owning the slot, x = f_t * (x >> P) + slot - start_t, and if
// x < 2^15, x = x << 16 | next word. Then its raw bits r: none for token 0 (v = 0), else
// 1 + low_bits(t) bits with r & 1 the sign (1 = negative) and |v| = base_t + (r >> 1).
// A valid block consumes exactly its words and raw bytes and leaves every lane at 2^15,
// where the encoder started.
#pragma once
#include <algorithm>
#include <bit>
#include <cstdint>

#include "codecs/core/zigzag.h"

namespace lcz::rans {

// 2: sequences of matches before the literal blocks. 3: the mantissa bits folded into the
// tokens chosen per table rather than per block. (Older streams are refused.)
inline constexpr uint8_t kVersion = 3;
inline constexpr uint8_t kVersionInContext = 4;  // 3 with a cell map and mode 3 blocks
inline constexpr int kLanes = 4;                    // interleaved rANS states
inline constexpr uint32_t kStateLow = 1u << 15;     // states live in [L, L << 16) = [2^15, 2^31)
inline constexpr int kWordBits = 16;                // renormalization unit
inline constexpr int kMinPrecision = 8;             // 2^8 >= every token of a table
inline constexpr int kMaxPrecision = 15;            // 2^P <= L keeps a state update exact
inline constexpr int kMaxTables = 8;
inline constexpr int kClasses = 33;                 // magnitude classes: 0 for v == 0, else bit_width(|v|)
inline constexpr int kContexts = 129;               // values of the context e
inline constexpr int kMaxMantissa = 3;
inline constexpr int kMaxTokens = 240;              // tokens at m = 3

inline constexpr int kMaxSignedMantissa = 2;      // mode 3: signed tokens fit in a byte
inline constexpr int kMaxSignedTokens = 247;       // signed tokens at m = 2
inline constexpr int kMaxCellTables = 16;
inline constexpr int kMaxClusters = 64;
inline constexpr int kLevels = 7;                  // levels of the running context e
inline constexpr int kRows = 256;                  // one per base context byte
inline constexpr int kCells = kLevels * kRows;

enum class BlockMode : uint8_t { rans = 0, packed = 1, rans_base = 2, rans_cells = 3 };

// Mode 2: a value's base context byte (base_prediction.h: 1 + (class * 8 + fraction) * 2 + sign)
// gives the magnitude class of the base's prediction; the classes of a group's four values
// sum to b (0 without contexts). The table context is the mean of the running context e
// (about 4x the recent classes: the residual's scale in this tensor) and b (4x the base's
// classes: how large this value is within it).
inline uint32_t base_class(uint8_t context) { return context ? static_cast<uint32_t>(context - 1) >> 4 : 0; }
inline uint32_t base_group_context(uint32_t e, uint32_t b) { return (e + b + 1) >> 1; }

// Mode 3: the level of the running context e (0..128), on a log scale: 0, 1, 2-3, 4-7,
// 8-15, 16-31, 32 and above.
constexpr uint32_t level_of(uint32_t e) { return std::min<uint32_t>(std::bit_width(e), kLevels - 1); }

// log2 to ~1e-4, for the encoder's cost estimates only (they steer choices, never the
// format); no libm, so that choices do not depend on the platform's.
inline float estimate_log2(float x) {
  const uint32_t i = std::bit_cast<uint32_t>(x);
  const float e = static_cast<float>(static_cast<int>(i >> 23) - 127);
  const float m = std::bit_cast<float>((i & 0x7fffffu) | 0x3f800000u) - 1.0f;  // [0, 1)
  // Minimax-style polynomial of log2(1 + m) on [0, 1).
  const float p = m * (1.4425449f + m * (-0.7181452f + m * (0.4575485f + m * (-0.2779042f + m * (0.1217970f + m * -0.0258411f)))));
  return e + p;
}

// The helpers below are written branch-free: signs and classes of weights are
// unpredictable, and a mispredicted branch per value costs more than the arithmetic.


// bit_width(a), 0 for 0, from one bit scan of a nonzero word.
inline int magnitude_class(uint32_t a) { return static_cast<int>(std::bit_width((uint64_t{a} << 1) | 1)) - 1; }

// Tokens at m: magnitudes below 2^(m+1) each have their own token; above, one token per
// (class, top m bits below the leading one). m=0: 33 tokens, 1: 64, 2: 124, 3: 240.
constexpr int token_count(int m) { return (2 << m) + (32 - (m + 1)) * (1 << m); }
// Mode 3: a token for v = 0 and one per (token, sign) of the others.
constexpr int signed_token_count(int m) { return 2 * token_count(m) - 1; }

// The context after a group whose classes sum to `class_sum`.
inline uint32_t next_context(uint32_t e, uint32_t class_sum) { return (e + class_sum + 1) >> 1; }

inline uint32_t token_of(uint32_t a, int m) {
  // Shift the magnitude down until only m bits remain below the leading one.
  int shift = magnitude_class(a) - (m + 1);
  shift &= ~(shift >> 31);  // max(shift, 0)
  return (a >> shift) + (static_cast<uint32_t>(shift) << m);
}

struct TokenShape {
  uint32_t base;       // smallest magnitude of the token
  uint8_t cls;         // magnitude class of every value of the token
  uint8_t low_bits;    // raw mantissa bits below the folded ones
};

constexpr TokenShape token_shape(uint32_t t, int m) {
  if (t < (2u << m)) return {t, static_cast<uint8_t>(std::bit_width(t)), 0};
  const int c = static_cast<int>(t >> m) + m;
  const int low = c - 1 - m;
  return {(1u << (c - 1)) | ((t & ((1u << m) - 1)) << low), static_cast<uint8_t>(c), static_cast<uint8_t>(low)};
}

}  // namespace lcz::rans
