#include "codecs/entropy/rans/table_code.h"

#include <bit>

#include "codecs/core/error.h"
#include "codecs/core/zigzag.h"
#include "codecs/entropy/rans/format.h"

namespace lcz::rans {

namespace {
// The first width is coded as a delta to this, a typical width at precision 12.
constexpr int kFirstWidth = 6;
constexpr int kMaxUnary = 2 * (kMaxPrecision + 1) + 1;

}  // namespace

void write_table(BitWriter& w, const uint32_t* freq, int count) {
  int lo = 0, hi = count - 1;
  while (lo < count && freq[lo] == 0) ++lo;
  while (hi > lo && freq[hi] == 0) --hi;
  w.put(static_cast<uint32_t>(lo), 8);
  w.put(static_cast<uint32_t>(hi - lo), 8);
  int prev = kFirstWidth;
  for (int t = lo; t <= hi; ++t) {
    const int width = std::bit_width(freq[t]);
    const uint32_t z = zigzag32(width - prev);
    w.put(0, static_cast<int>(z));  // z < kMaxUnary <= 32
    w.put(1, 1);
    if (width > 1) w.put(freq[t] & ((1u << (width - 1)) - 1), width - 1);
    prev = width;
  }
}

void read_table(BitReader& r, int precision, int token_count, uint32_t* freq) {
  const size_t at = r.byte_offset();
  for (int t = 0; t < token_count; ++t) freq[t] = 0;
  const int lo = static_cast<int>(r.get_checked(8, "rans", "frequency table"));
  const int hi = lo + static_cast<int>(r.get_checked(8, "rans", "frequency table"));
  if (hi >= token_count)
    throw_corrupt("rans", at, "table token range " + std::to_string(lo) + ".." + std::to_string(hi) +
                                  " exceeds the " + std::to_string(token_count) + " tokens of the block");
  const uint32_t total = 1u << precision;
  uint32_t sum = 0;
  int prev = kFirstWidth;
  for (int t = lo; t <= hi; ++t) {
    uint32_t z = 0;
    while (r.get_checked(1, "rans", "frequency table") == 0)
      if (++z > kMaxUnary) throw_corrupt("rans", r.byte_offset(), "frequency width code too long");
    const int width = prev + unzigzag32(z);
    if (width < 0 || width > precision + 1)
      throw_corrupt("rans", r.byte_offset(), "frequency width " + std::to_string(width) + " out of range");
    uint32_t f = 0;
    if (width > 0) f = (1u << (width - 1)) | (width > 1 ? r.get_checked(width - 1, "rans", "frequency table") : 0u);
    if (f > total - sum)
      throw_corrupt("rans", r.byte_offset(), "table frequencies exceed the total " + std::to_string(total));
    freq[t] = f;
    sum += f;
    prev = width;
  }
  if (sum != total)
    throw_corrupt("rans", at, "table frequencies sum to " + std::to_string(sum) + ", not " + std::to_string(total));
}

}  // namespace lcz::rans
