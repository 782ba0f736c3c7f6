// Match finding over ints, as an LZ77 coder does over bytes, with negation. Windows of
// kWindow values are hashed by magnitude (so that a window and its negation meet) into a
// table that remembers the latest window starting at a multiple of kInsertEvery for each hash.
// Lookups run in bursts of kInsertEvery consecutive positions, one burst every `burst_every`
// (twice that after kQuiet values without a match): a burst covers every residue of the lag,
// so a run repeated at any lag over at least 2 * burst_every + kInsertEvery + kWindow - 2
// values is always seen (burst_every + ... where repeats are frequent), and a hit is then
// extended both ways, as a copy and as a negation. Repeats of filters, channels and layers are
// longer than that; remembering and looking up only some windows keeps the finder at a
// fraction of the literal coder's time, and the table small enough to stay in a level-2 cache.
// The rans coder looks up twice as densely as cm: short repeats (16 values of a plane at
// another channel) pay as sequences there, and the cm model predicts them itself.
//
// Whether a match pays is judged on estimated bits: its sequence code (exact) against the
// literals it covers, each priced at -log2 of its magnitude class's frequency in the
// surrounding 2^kCostBlockLog2 values plus its raw bits (sign and bits below the leading
// one). The literal coders model local scale and so code below that estimate; a margin covers
// the gap, so that short matches of cheap values (zeros in a sparse layer) stay literals.
#include "codecs/entropy/match/match_find.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>

#include "codecs/core/zigzag.h"

namespace lcz::match {
namespace {

constexpr int kClasses = 33;  // magnitude classes: 0 for v == 0, else bit_width(|v|)

// |v|'s bit width.
int magnitude_class(uint32_t a) { return static_cast<int>(std::bit_width(a)); }

constexpr size_t kWindow = 4;
constexpr size_t kInsertEvery = 4;  // windows remembered: one position in kInsertEvery
constexpr size_t kQuiet = 4096;
constexpr int kCostBlockLog2 = 12;
constexpr size_t kCostSample = 4;
constexpr uint32_t kMaxLength = uint32_t{1} << 30;

class MatchFinder {
 public:
  MatchFinder(std::span<const int32_t> v, float margin, size_t burst_every, std::vector<Sequence>& out)
      : v_(v), margin_(margin), burst_every_(burst_every), out_(out) {
    // At most 2^16 entries (512 KiB: stays in a level-2 cache). A repeat of many windows needs
    // only one of them to survive later overwrites.
    const int bits = std::clamp(static_cast<int>(std::bit_width(v.size())) - 4, 8, 16);
    head_.assign(size_t{1} << bits, 0);
    shift_ = 64 - bits;
    cost_.resize(((v.size() - 1) >> kCostBlockLog2) + 1);
    cost_ready_.assign(cost_.size(), 0);
  }
  void run();

 private:
  struct Candidate {
    size_t start = 0, length = 0, offset = 0;
    bool negate = false;
    float gain = 0;
  };

  // 64-bit hash of the magnitudes of the window at i, so that a window and its negation
  // hash alike (one lookup finds both); the top bits index the table, the low 32 are its tag.
  uint64_t hash(size_t i) const {
    const int32_t* p = v_.data() + i;
    uint64_t h = 0;
    for (size_t k = 0; k < kWindow; k += 2)
      h = (h + (magnitude(p[k]) | uint64_t{magnitude(p[k + 1])} << 32)) * 0x9E3779B97F4A7C15ull;
    return h * 0xC2B2AE3D27D4EB4Full;
  }
  void insert(size_t i, uint64_t h) {
    head_[h >> shift_] = h << 32 | (i + 1);
  }
  // The position of the latest window with hash h, or -1: the tag rejects almost every other
  // window before its values are read (reading them is a cache miss).
  int64_t lookup(uint64_t h) const {
    const uint64_t e = head_[h >> shift_];
    return e != 0 && (e >> 32) == (h & 0xFFFFFFFFu) ? static_cast<int64_t>(e & 0xFFFFFFFFu) - 1 : -1;
  }
  size_t consider(size_t i, size_t j, bool negate, size_t literal_start, Candidate& best);
  void shorten_lag(size_t i, size_t literal_start, Candidate& best);
  size_t try_match(size_t i, uint64_t h, size_t& literal_start, size_t& next_lookup);
  float literal_bits(size_t from, size_t to);
  const std::array<uint32_t, kClasses>& costs(size_t block);

  std::span<const int32_t> v_;
  float margin_;  // bits a match must save beyond its estimated price
  size_t burst_every_;  // windows looked up: kInsertEvery positions in a row, every burst_every_ (twice that when quiet)
  std::vector<Sequence>& out_;
  std::vector<uint64_t> head_;  // tag << 32 | position + 1 of the latest window with this index, 0: none
  int shift_ = 0;
  std::vector<std::array<uint32_t, kClasses>> cost_;  // per class, in 1/256 bits
  std::vector<uint8_t> cost_ready_;
};

const std::array<uint32_t, kClasses>& MatchFinder::costs(size_t block) {
  std::array<uint32_t, kClasses>& c = cost_[block];
  if (cost_ready_[block]) return c;
  cost_ready_[block] = 1;
  std::array<uint32_t, kClasses> h{};
  const size_t from = block << kCostBlockLog2, to = std::min(v_.size(), from + (size_t{1} << kCostBlockLog2));
  // Every kCostSample-th value: plenty for a price estimate, and a quarter of the work.
  for (size_t i = from; i < to; i += kCostSample) ++h[magnitude_class(magnitude(v_[i]))];
  const float n = static_cast<float>((to - from + kCostSample - 1) / kCostSample);
  for (int k = 0; k < kClasses; ++k)
    c[k] = static_cast<uint32_t>(256 * (std::log2(n / static_cast<float>(std::max<uint32_t>(h[k], 1))) + static_cast<float>(k)));
  return c;
}

float MatchFinder::literal_bits(size_t from, size_t to) {
  uint64_t bits = 0;  // integer sums: no chain of float additions over a long match
  while (from < to) {
    const size_t block = from >> kCostBlockLog2;
    const size_t end = std::min(to, (block + 1) << kCostBlockLog2);
    const std::array<uint32_t, kClasses>& c = costs(block);
    for (; from < end; ++from) bits += c[magnitude_class(magnitude(v_[from]))];
  }
  return static_cast<float>(bits) / 256;
}

// The match of position i against earlier position j (negated or not), extended both ways
// (backwards no further than the pending literals); kept in best if it gains more. Returns
// how far forward it reaches.
size_t MatchFinder::consider(size_t i, size_t j, bool negate, size_t literal_start, Candidate& best) {
  const size_t n = v_.size();
  const uint32_t flip = negate ? ~0u : 0u;
  auto same = [&](size_t a, size_t b) {
    const uint32_t x = static_cast<uint32_t>(v_[b]);
    return static_cast<uint32_t>(v_[a]) == (x ^ flip) - flip;
  };
  size_t f = 0;
  const size_t limit = std::min<size_t>(n - i, kMaxLength);
  while (f < limit && same(i + f, j + f)) ++f;
  if (f < kWindow) return i;  // a hash collision
  size_t b = 0;
  while (i - b > literal_start && j - b > 0 && f + b < kMaxLength && same(i - b - 1, j - b - 1)) ++b;
  const size_t start = i - b, length = f + b;
  // The same stretch as a copy and as a negation (a run of zeros): priced once.
  if (best.length == length && best.start == start) return i + f;
  const Sequence s{static_cast<uint32_t>(start - literal_start), static_cast<uint32_t>(length), static_cast<uint32_t>(i - j), negate};
  const float gain = literal_bits(start, start + length) - static_cast<float>(sequence_bits(s)) - margin_;
  if (gain > best.gain) best = {start, length, i - j, negate, gain};
  return i + f;
}

// A run of one value (or of a short period) is found at the lag of the latest window
// remembered, a multiple of kInsertEvery; at its shortest lag it leaves fewer of its first
// values to the literals, and the lag costs fewer bits. Tried only for a match taken at a
// short lag, and checked over its whole length once.
void MatchFinder::shorten_lag(size_t i, size_t literal_start, Candidate& best) {
  if (best.length == 0 || best.negate || best.offset > 2 * kInsertEvery) return;
  const size_t end = best.start + best.length;
  for (size_t lag = 1; lag < best.offset; ++lag) {
    if (lag > i) break;
    // The shortest lag that repeats the run's first values...
    const size_t probe = std::min(end, i + best.offset + lag);
    size_t x = i;
    while (x < probe && v_[x] == v_[x - lag]) ++x;
    if (x < probe) continue;
    // ...and all of it.
    while (x < end && v_[x] == v_[x - lag]) ++x;
    if (x < end) continue;
    // Back to where the match starts, and at most `offset` values further: where the
    // longer lag stopped.
    if (best.start < lag) return;
    for (size_t y = best.start; y < i; ++y)
      if (v_[y] != v_[y - lag]) return;
    const size_t floor = std::max(literal_start, best.start - std::min(best.start, best.offset));
    size_t start = best.start;
    while (start > floor && start - 1 >= lag && v_[start - 1] == v_[start - 1 - lag]) --start;
    const Sequence before{static_cast<uint32_t>(best.start - literal_start), static_cast<uint32_t>(best.length),
                          static_cast<uint32_t>(best.offset), false};
    const Sequence after{static_cast<uint32_t>(start - literal_start), static_cast<uint32_t>(end - start),
                         static_cast<uint32_t>(lag), false};
    const float gain = best.gain + literal_bits(start, best.start) + static_cast<float>(sequence_bits(before) - sequence_bits(after));
    if (gain > best.gain) best = {start, end - start, lag, false, gain};
    return;
  }
}

// Looks up position i (a burst position at or after next_lookup); on a match worth taking,
// records it, remembers the windows inside it and returns its end, else returns 0.
size_t MatchFinder::try_match(size_t i, uint64_t h, size_t& literal_start, size_t& next_lookup) {
  const int64_t j = lookup(h);
  if (j < 0) return 0;
  Candidate best;
  size_t reach = i;  // end of the longest candidate seen, taken or not
  // Same magnitudes: a copy or a negation (or neither, if the signs mix).
  const size_t source = static_cast<size_t>(j);
  reach = std::max(reach, consider(i, source, false, literal_start, best));
  reach = std::max(reach, consider(i, source, true, literal_start, best));
  shorten_lag(i, literal_start, best);
  if (best.length == 0) {
    // A repeat that does not pay as a whole does not pay in parts either: no lookups inside
    // it (this keeps long runs of cheap values linear).
    next_lookup = std::max(i + 1, reach - std::min(reach, kWindow));
    return 0;
  }
  out_.push_back({static_cast<uint32_t>(best.start - literal_start), static_cast<uint32_t>(best.length),
                  static_cast<uint32_t>(best.offset), best.negate});
  const size_t end = best.start + best.length;
  // The windows inside the match are remembered too: a later copy of a copy finds them.
  const size_t last = v_.size() - kWindow;
  for (size_t k = (i + kInsertEvery - 1) / kInsertEvery * kInsertEvery; k < end && k <= last; k += kInsertEvery)
    insert(k, hash(k));
  literal_start = next_lookup = end;
  return end;
}

void MatchFinder::run() {
  const size_t n = v_.size();
  const size_t last = n - kWindow;  // the last position with a whole window
  size_t literal_start = 0, next_lookup = 0;
  // Block by block of kBurstEvery positions: a burst of lookups at its start, then windows
  // remembered at multiples of kInsertEvery. After a match the walk resumes where it ends.
  // Hashes of the next burst, computed when its slots are prefetched and used when it comes
  // (ahead_at: its first position; none after a match moved the walk).
  uint64_t ahead[kInsertEvery];
  size_t ahead_at = SIZE_MAX;
  size_t last_match = 0;  // end of the last match taken
  for (size_t i = 0; i <= last;) {
    // Where nothing has repeated for a while, bursts are sparser: long repeats are still all
    // found, and the finder costs a fraction (data without repeats pays least).
    const size_t every = i - last_match > kQuiet ? 2 * burst_every_ : burst_every_;
    const size_t base = i - i % every;
    uint64_t burst[kInsertEvery];
    const bool have = ahead_at == base;
    if (have) std::copy(ahead, ahead + kInsertEvery, burst);
    if (i == base) {
      // The next burst's slots, fetched while this one works: a lookup otherwise waits on memory.
      ahead_at = base + every;
      for (size_t k = 0; k < kInsertEvery && ahead_at + k <= last; ++k) {
        ahead[k] = hash(ahead_at + k);
        __builtin_prefetch(&head_[ahead[k] >> shift_]);
      }
    }
    bool matched = false;
    for (; i < base + kInsertEvery && i <= last; ++i) {
      const uint64_t h = have ? burst[i - base] : hash(i);
      if (i >= next_lookup) {
        if (const size_t end = try_match(i, h, literal_start, next_lookup)) {
          i = last_match = end;
          matched = true;
          break;
        }
      }
      if (i % kInsertEvery == 0) insert(i, h);
    }
    if (matched) {
      ahead_at = SIZE_MAX;
      continue;
    }
    for (size_t k = (i + kInsertEvery - 1) / kInsertEvery * kInsertEvery; k < base + every && k <= last; k += kInsertEvery)
      insert(k, hash(k));
    i = base + every;
  }
}

}  // namespace

std::vector<Sequence> find_matches(std::span<const int32_t> values, float margin, size_t burst_every) {
  std::vector<Sequence> out;
  // Streams too short to hold a paying match, or too long for 32-bit positions.
  if (values.size() < 64 || values.size() >= (size_t{1} << 31)) return out;
  MatchFinder(values, margin, std::clamp<size_t>(burst_every / kInsertEvery * kInsertEvery, kInsertEvery, 1024), out).run();
  return out;
}

LiteralReader::LiteralReader(std::span<const int32_t> values, std::span<const Sequence> sequences)
    : values_(values), sequences_(sequences), count_(values.size()) {
  for (const Sequence& s : sequences) count_ -= s.length;
  in_run_ = sequences.empty() ? values.size() : sequences[0].literals;
}

void LiteralReader::read(int32_t* out, size_t n) {
  while (n > 0) {
    while (in_run_ == 0) {  // past a match to the next run of literals
      pos_ += sequences_[next_++].length;
      in_run_ = next_ < sequences_.size() ? sequences_[next_].literals : values_.size() - pos_;
    }
    const size_t k = std::min(n, in_run_);
    std::copy_n(values_.begin() + static_cast<std::ptrdiff_t>(pos_), k, out);
    out += k;
    pos_ += k;
    in_run_ -= k;
    n -= k;
  }
}

}  // namespace lcz::match
