// The cm decoder: every field of the header is checked before any work, and the arithmetic
// decoder's end state is checked after it, so a truncated or corrupt stream is refused
// rather than decoded into something else.
#include <limits>
#include <memory>
#include <string>

#include "codecs/core/byte_io.h"
#include "codecs/entropy/cm/arith_decoder.h"
#include "codecs/entropy/cm/format.h"

namespace lcz::cm {

I32 decode(std::span<const uint8_t> stream, uint64_t max_values, const char* stage) {
  ByteReader r(stream, stage);
  const uint8_t version = r.u8();
  if (version != kFormatVersion) r.fail(0, "unknown format version " + std::to_string(version));
  const uint8_t flags = r.u8();
  if (flags & ~uint8_t{7}) r.fail(1, "reserved flag bits set");
  ModelParams params;
  params.mantissa_bits = flags & 3;
  params.match = (flags & 4) != 0;
  if (params.mantissa_bits > kMaxMantissaBits) r.fail(1, "mantissa_bits out of range");
  params.period = r.u8();
  if (params.period < 1 || params.period > kMaxPeriod) r.fail(2, "period " + std::to_string(params.period) + " out of range");
  const size_t count_at = r.offset();
  const uint64_t n = r.count(max_values, "value count");
  const auto payload = r.bytes(r.remaining());
  if (n == 0) {
    if (!payload.empty()) r.fail(r.offset() - payload.size(), "payload present for zero values");
    return {};
  }
  if (n / kMaxValuesPerPayloadByte > payload.size())
    r.fail(count_at, "value count " + std::to_string(n) + " cannot be coded in " + std::to_string(payload.size()) + " bytes");

  const size_t base = stream.size() - payload.size();
  I32 out(n);
  auto model = std::make_unique<ValueModel>(params, n);
  ArithDecoder coder(payload);
  for (uint64_t i = 0; i < n; ++i) {
    model->code(coder, 0);
    const uint32_t m = model->magnitude();
    const bool neg = model->negative();
    if (m > (neg ? uint32_t{1} << 31 : uint32_t{std::numeric_limits<int32_t>::max()}))
      throw_corrupt(stage, base + payload.size() - coder.unread(), "value " + std::to_string(i) + " out of the int32 range");
    out[i] = neg ? static_cast<int32_t>(0u - m) : static_cast<int32_t>(m);
    if (coder.overrun() > kTrimmed)
      throw_corrupt(stage, stream.size(), "stream ends before value " + std::to_string(i));
  }
  if (coder.overrun() != kTrimmed || !coder.consistent())
    throw_corrupt(stage, stream.size() - coder.unread(), "inconsistent end of the coded values");
  return out;
}

}  // namespace lcz::cm
