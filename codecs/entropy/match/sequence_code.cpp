#include "codecs/entropy/match/sequences.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <cstdint>
#include <string>
#include <vector>

#include "codecs/core/bit_reader.h"
#include "codecs/core/bit_writer.h"
#include "codecs/core/error.h"

namespace lcz::match {
namespace {

int gamma_bits(uint64_t x) { return 2 * std::bit_width(x) - 1; }

void put_gamma(BitWriter& w, uint32_t x) {  // x >= 1
  const int width = std::bit_width(x);
  w.put(0, width - 1);
  w.put(1, 1);
  if (width > 1) w.put(x & ((1u << (width - 1)) - 1), width - 1);
}

}  // namespace

int sequence_bits(const Sequence& s) {
  return gamma_bits(uint64_t{s.literals} + 1) + gamma_bits(s.length - kMinMatch + 1) + 5 + std::bit_width(s.offset) - 1 + 1;
}

void write_sequences(std::span<const Sequence> sequences, Bytes& out) {
  BitWriter w(out);
  for (const Sequence& s : sequences) {
    put_gamma(w, s.literals + 1);  // literals < 2^32 - 1: a stream of 2^32 values has a match
    put_gamma(w, s.length - kMinMatch + 1);
    const int width = std::bit_width(s.offset);
    w.put(static_cast<uint32_t>(width - 1), 5);
    if (width > 1) w.put(s.offset & ((1u << (width - 1)) - 1), width - 1);
    w.put(s.negate ? 1 : 0, 1);
  }
  w.flush();
}

void write_sequence_section(std::span<const Sequence> sequences, ByteWriter& w) {
  w.varint(sequences.size());
  if (sequences.empty()) return;
  Bytes coded;
  write_sequences(sequences, coded);
  w.varint(coded.size());
  w.bytes(coded);
}

std::vector<Sequence> read_sequences(std::span<const uint8_t> in, const char* stage, size_t base, uint64_t count,
                                     uint64_t values) {
  // Every sequence takes at least 9 bits: a count the bytes cannot hold is refused before
  // anything is allocated.
  if (count > in.size() * 8 / 9) throw_corrupt(stage, base, std::to_string(count) + " sequences cannot fit in " + std::to_string(in.size()) + " bytes");
  BitReader r(in, base);  // zeros past the end: overrun is checked once per sequence
  std::vector<Sequence> out(count);
  uint64_t pos = 0;  // values covered so far
  for (uint64_t i = 0; i < count; ++i) {
    const size_t at = r.byte_offset();
    const uint64_t literals = r.gamma();
    const uint64_t length = r.gamma();
    const int width = static_cast<int>(r.get(5)) + 1;
    const uint64_t offset = width > 1 ? (uint64_t{1} << (width - 1)) | r.get(width - 1) : 1;
    const bool negate = r.get(1) != 0;
    if (r.overrun()) throw_corrupt(stage, at, "sequence " + std::to_string(i) + " runs past the sequence bytes");
    if (literals == 0 || length == 0) throw_corrupt(stage, at, "sequence " + std::to_string(i) + ": length code too long");
    Sequence& s = out[i];
    pos += literals - 1;
    if (pos > values || offset > pos)
      throw_corrupt(stage, at, "sequence " + std::to_string(i) + ": offset " + std::to_string(offset) + " at value " +
                                    std::to_string(pos) + " reaches before the stream");
    const uint64_t match = length - 1 + kMinMatch;
    if (match > values - pos || match > UINT32_MAX)
      throw_corrupt(stage, at, "sequence " + std::to_string(i) + ": a match of " + std::to_string(match) + " values at value " +
                                    std::to_string(pos) + " runs past the " + std::to_string(values) + " values");
    pos += match;
    s = {static_cast<uint32_t>(literals - 1), static_cast<uint32_t>(match), static_cast<uint32_t>(offset), negate};
  }
  if (r.bits_left() >= 8) throw_corrupt(stage, r.byte_offset(), "trailing bytes after the sequences");
  return out;
}

uint64_t matched_values(std::span<const Sequence> sequences) {
  uint64_t n = 0;
  for (const Sequence& s : sequences) n += s.length;
  return n;
}

void write_match(int32_t* dst, uint32_t offset, uint32_t length, bool negate) {
  const uint32_t first = std::min(offset, length);
  if (negate) {
    const int32_t* __restrict src = dst - offset;  // [src, src + first) ends at or before dst
    int32_t* __restrict to = dst;
    for (uint32_t k = 0; k < first; ++k) to[k] = static_cast<int32_t>(0u - static_cast<uint32_t>(src[k]));
  } else {
    std::memcpy(dst, dst - offset, first * sizeof(int32_t));
  }
  // From here on dst[k] = dst[k - period]: for a copy at every k, negated at k >= offset
  // (negation wraps, so twice is the identity for every int32, INT_MIN too).
  const uint64_t period = negate ? uint64_t{2} * offset : offset;
  for (uint64_t done = first; done < length;) {
    // A whole number of periods back, reaching no further than dst - offset: the piece reads
    // only values written before it, and the pieces double.
    const uint64_t back = (done + offset) / period * period;
    const uint64_t piece = std::min<uint64_t>(back, length - done);
    std::memcpy(dst + done, dst + done - back, piece * sizeof(int32_t));
    done += piece;
  }
}

SequenceWriter::SequenceWriter(std::span<const Sequence> sequences, int32_t* out)
    : sequences_(sequences), out_(out), pending_(sequences.empty() ? UINT64_MAX : sequences[0].literals) {}

void SequenceWriter::literals(const int32_t* lit, size_t count) {
  for (;;) {
    while (pending_ == 0) {  // then next_ < sequences_.size()
      const Sequence& s = sequences_[next_];
      write_match(out_ + pos_, s.offset, s.length, s.negate);
      pos_ += s.length;
      pending_ = ++next_ < sequences_.size() ? sequences_[next_].literals : UINT64_MAX;
    }
    if (count == 0) return;
    const size_t take = static_cast<size_t>(std::min<uint64_t>(count, pending_));
    if (out_ + pos_ != lit) std::memmove(out_ + pos_, lit, take * sizeof(int32_t));
    pos_ += take;
    lit += take;
    count -= take;
    pending_ -= take;
  }
}

void apply_sequences(std::span<const Sequence> sequences, int32_t* out, size_t n, size_t literal_count) {
  SequenceWriter(sequences, out).literals(out + (n - literal_count), literal_count);
}

std::vector<uint8_t> literal_contexts(std::span<const Sequence> sequences, std::span<const uint8_t> context, size_t n) {
  const size_t first = n - std::min(n, context.size());  // value of context[0]
  std::vector<uint8_t> out;
  out.reserve(n - std::min<uint64_t>(n, matched_values(sequences)));
  // Values begin .. begin + count - 1, whole runs at a time: zeros before the context starts.
  auto append = [&](size_t begin, size_t count) {
    const size_t zeros = begin < first ? std::min(count, first - begin) : 0;
    out.insert(out.end(), zeros, uint8_t{0});
    if (count > zeros) {
      const auto from = context.begin() + static_cast<std::ptrdiff_t>(begin + zeros - first);
      out.insert(out.end(), from, from + static_cast<std::ptrdiff_t>(count - zeros));
    }
  };
  size_t pos = 0;
  for (const Sequence& s : sequences) {
    append(pos, s.literals);
    pos += s.literals + s.length;
  }
  if (pos < n) append(pos, n - pos);
  return out;
}

}  // namespace lcz::match
