// The cm decoder: every field of the header is checked before any work, and the arithmetic
// decoder's end state is checked after it, so a truncated or corrupt stream is refused
// rather than decoded into something else.
#include <limits>
#include <memory>
#include <string>

#include "codecs/core/byte_io.h"
#include "codecs/entropy/cm/arith_decoder.h"
#include "codecs/entropy/cm/format.h"
#include "codecs/entropy/cm/raw_bits.h"
#include "codecs/entropy/match/sequences.h"

namespace lcz::cm {

I32 decode(std::span<const uint8_t> stream, uint64_t max_values, const char* stage, std::span<const uint8_t> context) {
  ByteReader r(stream, stage);
  const uint8_t version = r.u8();
  if (version != kFormatVersion) r.fail(0, "unknown format version " + std::to_string(version));
  const uint8_t flags = r.u8();
  if (flags & ~uint8_t{127}) r.fail(1, "reserved flag bits set");
  ModelParams params;
  params.mantissa_bits = flags & 3;
  params.match = (flags & 4) != 0;
  params.base_context = (flags & 8) != 0;
  params.repeat = (flags & 16) != 0;  // streams written before the short-repeat model have it 0
  params.zero = (flags & 32) != 0;    // ... and before the zero flag
  params.raw_bits = (flags & 64) != 0;  // ... and before the raw section
  if (params.base_context && context.empty()) r.fail(1, "coded in a base context: decoding needs the base");
  if (params.mantissa_bits > kMaxMantissaBits) r.fail(1, "mantissa_bits out of range");
  params.period = r.u8();
  if (params.period < 1 || params.period > kMaxPeriod) r.fail(2, "period " + std::to_string(params.period) + " out of range");
  const size_t count_at = r.offset();
  const uint64_t n = r.count(max_values, "value count");
  if (params.base_context && context.size() > n)
    r.fail(count_at, std::to_string(n) + " values for a context of " + std::to_string(context.size()));
  const uint64_t sequence_count = r.count(n / match::kMinMatch, "sequence count");
  std::vector<match::Sequence> sequences;
  if (sequence_count > 0) {
    const size_t sequence_bytes = r.count(r.remaining(), "sequence byte length");
    const size_t base = r.offset();
    sequences = match::read_sequences(r.bytes(sequence_bytes), stage, base, sequence_count, n);
  }
  const uint64_t literal_count = n - match::matched_values(sequences);  // read_sequences checked it is >= 0
  if (literal_count == 0) {
    if (r.remaining() > 0) r.fail(r.offset(), "payload present for zero literals");
    I32 out(n);
    match::apply_sequences(sequences, out.data(), n, 0);
    return out;
  }
  const size_t coded_at = params.raw_bits ? r.offset() : 0;
  const size_t coded_bytes = params.raw_bits ? r.count(r.remaining(), "arithmetic-coded byte count") : r.remaining();
  const size_t coded_base = r.offset();
  const auto coded = r.bytes(coded_bytes);
  const size_t raw_base = r.offset();
  const auto raw = r.bytes(r.remaining());
  if (literal_count / kMaxValuesPerPayloadByte > coded.size())
    r.fail(params.raw_bits ? coded_at : count_at,
           std::to_string(literal_count) + " literals cannot be coded in " + std::to_string(coded.size()) + " bytes");

  // The sequences and the payload size are consistent with n: it is allocated now, and the
  // literals decoded into its tail.
  I32 out(n);
  int32_t* const lit = out.data() + (n - literal_count);
  auto model = std::make_unique<ValueModel>(params, literal_count, lit, lit);
  const std::vector<uint8_t> ctx = params.base_context ? match::literal_contexts(sequences, context, n) : std::vector<uint8_t>();
  // arith: the coder's arithmetic decoder (for its position and end state).
  auto decode_all = [&](auto& coder, const ArithDecoder& arith) {
    for (uint64_t i = 0; i < literal_count; ++i) {
      model->code(coder, 0, params.base_context ? ctx[i] : 0);
      const uint32_t m = model->magnitude();
      const bool neg = model->negative();
      if (m > (neg ? uint32_t{1} << 31 : uint32_t{std::numeric_limits<int32_t>::max()}))
        throw_corrupt(stage, coded_base + coded.size() - arith.unread(), "literal " + std::to_string(i) + " out of the int32 range");
      lit[i] = neg ? static_cast<int32_t>(0u - m) : static_cast<int32_t>(m);
      if (arith.overrun() > kTrimmed)
        throw_corrupt(stage, coded_base + coded.size(), "arithmetic code ends before literal " + std::to_string(i));
    }
    if (arith.overrun() != kTrimmed || !arith.consistent())
      throw_corrupt(stage, coded_base + coded.size() - arith.unread(), "inconsistent end of the coded values");
  };
  if (params.raw_bits) {
    RawBitsDecoder coder(coded, raw, raw_base);
    decode_all(coder, coder.arith());
    if (!coder.raw_consistent())
      throw_corrupt(stage, raw_base, "the raw section of " + std::to_string(raw.size()) +
                                         " bytes does not hold exactly the bits the coded values need (zero-padded)");
  } else {
    ArithDecoder coder(coded);
    decode_all(coder, coder);
  }
  match::apply_sequences(sequences, out.data(), n, literal_count);
  return out;
}

}  // namespace lcz::cm
