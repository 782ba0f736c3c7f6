#include "codecs/entropy/rans/encode.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <vector>

#include "codecs/core/byte_io.h"
#include "codecs/core/error.h"
#include "codecs/entropy/match/sequences.h"
#include "codecs/core/little_endian.h"
#include "codecs/core/zigzag.h"
#include "codecs/entropy/rans/cell_map.h"
#include "codecs/entropy/rans/format.h"
#include "codecs/entropy/match/match_find.h"
#include "codecs/entropy/rans/table_code.h"

namespace lcz::rans {
namespace {

// Matches: the finder's default margin, and lookups twice as dense as its default, so that
// repeats of 14 values or more are always seen where repeats are frequent (the 16 values of
// a board plane copied at another channel, which the rans literals code at full price;
// measured: +1.8% on a dead-filter net, 0.015% less on maia-1900, encode ~5% slower).
constexpr float kMatchMargin = 8;
constexpr size_t kMatchBurstEvery = 8;

// The encoder first maps each value to its fine token (the token at m = 3); the token at a
// smaller m, the class and the raw bit count follow from it by table lookup.
struct FineMaps {
  uint8_t token[kMaxMantissa + 1][kMaxTokens];
  uint8_t low_bits[kMaxMantissa + 1][kMaxTokens];
  uint8_t cls[kMaxTokens];
  // Mode 3: a signed fine token (fine token f, plus kMaxTokens for a negative value) -> the
  // signed token at m.
  uint8_t signed_token[kMaxSignedMantissa + 1][2 * kMaxTokens];
  FineMaps() {
    for (uint32_t f = 0; f < kMaxTokens; ++f) {
      const TokenShape s = token_shape(f, kMaxMantissa);
      cls[f] = s.cls;
      for (int m = 0; m <= kMaxMantissa; ++m) {
        token[m][f] = static_cast<uint8_t>(token_of(s.base, m));
        low_bits[m][f] = token_shape(token[m][f], m).low_bits;
      }
      for (int m = 0; m <= kMaxSignedMantissa; ++m) {
        signed_token[m][f] = token[m][f];
        signed_token[m][kMaxTokens + f] = static_cast<uint8_t>(f ? token[m][f] + token_count(m) - 1 : 0);
      }
    }
  }
};
const FineMaps& fine_maps() {
  static const FineMaps maps;
  return maps;
}

constexpr auto fast_log2 = estimate_log2;

// ryg's rans_byte encoder symbol: division by the frequency as a multiply by its
// reciprocal (Alverson), exact for states below 2^31.
struct EncSymbol {
  uint32_t x_max;      // renormalize (emit a word) when the state reaches this
  uint32_t rcp_freq;
  uint32_t bias;
  uint16_t cmpl_freq;  // 2^P - freq
  uint16_t rcp_shift;
};

EncSymbol make_symbol(uint32_t start, uint32_t freq, int precision) {
  EncSymbol s{};
  s.x_max = ((kStateLow >> precision) << kWordBits) * freq;
  s.cmpl_freq = static_cast<uint16_t>((1u << precision) - freq);
  if (freq < 2) {
    s.rcp_freq = ~0u;
    s.rcp_shift = 0;
    s.bias = start + (1u << precision) - 1;
  } else {
    uint32_t shift = 0;
    while (freq > (1u << shift)) ++shift;
    s.rcp_freq = static_cast<uint32_t>(((uint64_t{1} << (shift + 31)) + freq - 1) / freq);
    s.rcp_shift = static_cast<uint16_t>(shift - 1);
    s.bias = start;
  }
  return s;
}

// Counts per token; room for mode 3's signed tokens.
using Histogram = std::array<uint32_t, 256>;
static_assert(kMaxSignedTokens <= 256 && kMaxTokens <= 256);

// Estimated bits of one table: its tokens at their empirical entropy, plus the table itself.
double table_cost(const Histogram& h, int count, int precision) {
  int lo = 0, hi = count - 1;
  while (lo < count && h[lo] == 0) ++lo;
  if (lo == count) return 0;
  while (hi > lo && h[hi] == 0) --hi;
  uint64_t n = 0;
  for (int t = lo; t <= hi; ++t) n += h[t];
  const float scale = static_cast<float>(1u << precision) / static_cast<float>(n);
  double bits = static_cast<double>(n) * fast_log2(static_cast<float>(n)) + 16;
  int prev = 6;
  for (int t = lo; t <= hi; ++t) {
    uint32_t f = 0;
    if (h[t]) {
      bits -= h[t] * static_cast<double>(fast_log2(static_cast<float>(h[t])));
      f = std::max<uint32_t>(1, static_cast<uint32_t>(h[t] * scale + 0.5f));
    }
    bits += table_entry_bits(f, prev);
    prev = std::bit_width(f);
  }
  return bits;
}

// Frequencies summing to 2^precision, every present token at least 1; rounding leftovers go
// to the most frequent tokens, where a unit changes the probability least.
void normalize(const Histogram& h, int count, int precision, uint32_t* freq) {
  const uint32_t total = 1u << precision;
  uint64_t n = 0;
  for (int t = 0; t < count; ++t) n += h[t];
  int64_t sum = 0;
  std::array<uint8_t, 256> order{};
  int used = 0;
  for (int t = 0; t < count; ++t) {
    freq[t] = 0;
    if (!h[t]) continue;
    freq[t] = std::max<uint32_t>(1, static_cast<uint32_t>((uint64_t{h[t]} * total + n / 2) / n));
    sum += freq[t];
    order[used++] = static_cast<uint8_t>(t);
  }
  std::sort(order.begin(), order.begin() + used, [&](uint8_t a, uint8_t b) { return h[a] != h[b] ? h[a] > h[b] : a < b; });
  int64_t diff = static_cast<int64_t>(total) - sum;
  while (diff != 0) {
    for (int i = 0; i < used && diff != 0; ++i) {
      uint32_t& f = freq[order[i]];
      if (diff > 0) {
        ++f;
        --diff;
      } else if (f > 1) {
        --f;
        ++diff;
      }
    }
  }
}

struct Model {
  std::array<uint8_t, kMaxTables> m{};  // mantissa bits folded into the tokens, per table
  int tables = 1;
  std::array<uint8_t, kMaxTables - 1> bounds{};   // first context of tables 1..K-1
  std::array<uint8_t, kContexts> table_of_context{};
  std::vector<Histogram> fine;                     // per table, counts of fine tokens
};

// Signed fine tokens (mode 3): 0 .. 2 * kMaxTokens.
using SignedHistogram = std::array<uint32_t, 2 * kMaxTokens>;

class BlockEncoder {
 public:
  explicit BlockEncoder(const EncoderOptions& o) : options_(o) {}
  // base and map: the values' base context bytes and the stream's cell map, or nullptr (then
  // mode 0 only). Returns the bytes that mode 3 saved over mode 0 (0 when not chosen).
  size_t encode(std::span<const int32_t> v, const uint8_t* base, const CellMap* map, Bytes& out);
  // The running context e of each group of v, as decoding sees it (mode 0 and 3 alike).
  std::span<const uint8_t> levels(std::span<const int32_t> v) {
    analyze(v);
    return context_;
  }

 private:
  void analyze(std::span<const int32_t> v);
  // Mode 3, after analyze.
  void write_cells(std::span<const int32_t> v, const uint8_t* base, const CellMap& map, int precision, Bytes& out);
  template <class SymbolOf>
  void write_words_of(ByteWriter& w, Bytes& out, size_t n, SymbolOf symbol_of);
  template <class RawOf>
  void write_raw_of(ByteWriter& w, size_t n, RawOf raw_of);
  Model group_contexts(int m, int precision) const;
  void choose_mantissa(Model& model, int precision) const;
  void write_rans(std::span<const int32_t> v, const Model& model, int precision, Bytes& out);  // mode 0
  // The phases of write_rans, in stream order.
  static void write_header(ByteWriter& w, const Model& model, int precision);
  void write_tables(ByteWriter& w, const Model& model, int precision);  // and the symbols they give
  void write_words(ByteWriter& w, Bytes& out, size_t n, const Model& model);
  void write_raw_bits(ByteWriter& w, std::span<const int32_t> v, const Model& model);
  void write_packed(std::span<const int32_t> v, Bytes& out);

  EncoderOptions options_;
  std::vector<uint8_t> fine_;     // fine token per value
  std::vector<uint8_t> context_;  // context per group
  // Counts of fine tokens per context, rows created on first use: a stream of a few values
  // (one small tensor) should not clear a row for every context.
  std::vector<Histogram> hist_;
  std::array<int16_t, kContexts> row_{};  // row of hist_ per context, -1 if unused
  uint32_t packed_width_ = 0;
  std::vector<uint16_t> words_;
  std::vector<uint8_t> raw_;
  std::vector<EncSymbol> symbols_;
  std::vector<uint8_t> raw_bits_;
  std::vector<uint32_t> low_mask_;
  std::vector<uint16_t> signed_fine_;  // mode 3, per value
  std::vector<uint8_t> table_;         // mode 3, per value
};

void BlockEncoder::analyze(std::span<const int32_t> v) {
  const size_t n = v.size();
  fine_.resize(n);
  context_.resize((n + kLanes - 1) / kLanes);
  hist_.clear();
  hist_.reserve(kContexts);
  row_.fill(-1);
  const FineMaps& maps = fine_maps();
  uint32_t any = 0;
  uint32_t e = 0;
  for (size_t g = 0, i = 0; i < n; ++g) {
    const uint32_t ctx = e;
    context_[g] = static_cast<uint8_t>(ctx);
    if (row_[ctx] < 0) {
      row_[ctx] = static_cast<int16_t>(hist_.size());
      hist_.emplace_back();
      hist_.back().fill(0);
    }
    Histogram& row = hist_[static_cast<size_t>(row_[ctx])];
    uint32_t class_sum = 0;
    for (const size_t end = std::min(n, i + kLanes); i < end; ++i) {
      any |= zigzag32(v[i]);
      const uint32_t f = token_of(magnitude(v[i]), kMaxMantissa);
      fine_[i] = static_cast<uint8_t>(f);
      ++row[f];
      class_sum += maps.cls[f];
    }
    e = next_context(e, class_sum);
  }
  packed_width_ = static_cast<uint32_t>(std::bit_width(any));
}

// Groups the contexts present into at most `max_tables` contiguous ranges: start with one
// table per context value, merge the adjacent pair whose merge costs least while that saves
// bits (tables are not free) or there are too many tables.
Model BlockEncoder::group_contexts(int m, int precision) const {
  const FineMaps& maps = fine_maps();
  const int count = token_count(m);
  struct Group {
    int first;
    Histogram fine, h;  // counts of fine tokens, and of tokens at m
    double cost;
  };
  std::vector<Group> groups;
  for (int e = 0; e < kContexts; ++e) {
    if (row_[e] < 0) continue;
    Group g{e, hist_[static_cast<size_t>(row_[e])], {}, 0};
    for (int f = 0; f < kMaxTokens; ++f) g.h[maps.token[m][f]] += g.fine[f];
    g.cost = table_cost(g.h, count, precision);
    groups.push_back(g);
  }
  auto merge_cost = [&](const Group& a, const Group& b) {
    Histogram h;
    for (int t = 0; t < count; ++t) h[t] = a.h[t] + b.h[t];
    return table_cost(h, count, precision) - a.cost - b.cost;
  };
  std::vector<double> gain;  // cost of merging groups j and j+1, minus their costs
  for (size_t j = 0; j + 1 < groups.size(); ++j) gain.push_back(merge_cost(groups[j], groups[j + 1]));
  const size_t max_tables = static_cast<size_t>(options_.max_tables);
  while (groups.size() > 1) {
    const size_t j = static_cast<size_t>(std::min_element(gain.begin(), gain.end()) - gain.begin());
    if (groups.size() <= max_tables && gain[j] >= 0) break;
    Group& a = groups[j];
    const Group& b = groups[j + 1];
    for (int f = 0; f < kMaxTokens; ++f) a.fine[f] += b.fine[f];
    for (int t = 0; t < count; ++t) a.h[t] += b.h[t];
    a.cost += b.cost + gain[j];
    groups.erase(groups.begin() + static_cast<std::ptrdiff_t>(j) + 1);
    gain.erase(gain.begin() + static_cast<std::ptrdiff_t>(j));
    if (j > 0) gain[j - 1] = merge_cost(groups[j - 1], groups[j]);
    if (j < gain.size()) gain[j] = merge_cost(groups[j], groups[j + 1]);
  }
  Model model;
  model.m.fill(static_cast<uint8_t>(m));
  model.tables = static_cast<int>(groups.size());
  for (size_t k = 0; k < groups.size(); ++k) {
    if (k > 0) model.bounds[k - 1] = static_cast<uint8_t>(groups[k].first);
    model.fine.push_back(groups[k].fine);
  }
  for (int e = 0, k = 0; e < kContexts; ++e) {
    while (k + 1 < model.tables && e >= model.bounds[k]) ++k;
    model.table_of_context[e] = static_cast<uint8_t>(k);
  }
  return model;
}

// With the tables fixed, for each table the m that minimises its token + table + raw bits:
// tables of small-scale contexts want few mantissa bits in their tokens, those of large
// scales more.
void BlockEncoder::choose_mantissa(Model& model, int precision) const {
  const FineMaps& maps = fine_maps();
  for (int k = 0; k < model.tables; ++k) {
    const Histogram& fine = model.fine[static_cast<size_t>(k)];
    double best = 0;
    for (int m = 0; m <= kMaxMantissa; ++m) {
      double bits = 0;
      Histogram h{};
      for (int f = 0; f < kMaxTokens; ++f) {
        h[maps.token[m][f]] += fine[f];
        bits += static_cast<double>(fine[f]) * maps.low_bits[m][f];
      }
      bits += table_cost(h, token_count(m), precision);
      if (m == 0 || bits < best) {
        best = bits;
        model.m[k] = static_cast<uint8_t>(m);
      }
    }
  }
}

// Block mode 0, precision, table count, the context boundaries of tables 1..K-1, each table's
// mantissa bits.
void BlockEncoder::write_header(ByteWriter& w, const Model& model, int precision) {
  w.u8(static_cast<uint8_t>(BlockMode::rans));
  w.u8(static_cast<uint8_t>(precision));
  w.u8(static_cast<uint8_t>(model.tables));
  for (int k = 0; k + 1 < model.tables; ++k) w.u8(model.bounds[k]);
  for (int k = 0; k < model.tables; ++k) w.u8(model.m[k]);
}

// The frequency tables, and the encoder symbols they give.
void BlockEncoder::write_tables(ByteWriter& w, const Model& model, int precision) {
  const FineMaps& maps = fine_maps();
  Bytes table_bytes;
  BitWriter tw(table_bytes);
  std::array<uint32_t, kMaxTokens> freq{};
  symbols_.resize(static_cast<size_t>(model.tables) * kMaxTokens);
  for (int k = 0; k < model.tables; ++k) {
    const int m = model.m[k], count = token_count(m);
    Histogram h{};
    for (int f = 0; f < kMaxTokens; ++f) h[maps.token[m][f]] += model.fine[k][f];
    normalize(h, count, precision, freq.data());
    write_table(tw, freq.data(), count);
    uint32_t start = 0;
    for (int t = 0; t < count; ++t) {
      if (freq[t]) symbols_[k * kMaxTokens + t] = make_symbol(start, freq[t], precision);
      start += freq[t];
    }
  }
  tw.flush();
  w.varint(table_bytes.size());
  w.bytes(table_bytes);
}

// rANS, last value first, into words_ from the back; value i goes to lane i % kLanes with
// the symbol symbol_of(i). Then the lane states and the words.
template <class SymbolOf>
void BlockEncoder::write_words_of(ByteWriter& w, Bytes& out, size_t n, SymbolOf symbol_of) {
  words_.resize(n + 1);
  uint16_t* const words_end = words_.data() + words_.size();
  uint16_t* ptr = words_end;
  uint32_t x0 = kStateLow, x1 = kStateLow, x2 = kStateLow, x3 = kStateLow;
  auto put = [&ptr](uint32_t& x, const EncSymbol& s) __attribute__((always_inline)) {
    // Branch-free renormalization: the word is always stored, kept only when needed
    // (words_ has one slot of headroom at the front).
    const bool emit = x >= s.x_max;
    ptr[-1] = static_cast<uint16_t>(x);
    ptr -= emit;
    x = emit ? x >> kWordBits : x;
    const uint32_t q = static_cast<uint32_t>((uint64_t{x} * s.rcp_freq) >> 32) >> s.rcp_shift;
    x = x + s.bias + q * s.cmpl_freq;
  };
  size_t groups = n / kLanes;
  static_assert(kLanes == 4);
  if (const size_t tail = n % kLanes) {  // the partial last group, last value first
    const size_t i = groups * kLanes;
    if (tail > 2) put(x2, symbol_of(i + 2));
    if (tail > 1) put(x1, symbol_of(i + 1));
    put(x0, symbol_of(i));
  }
  while (groups-- > 0) {
    const size_t i = groups * kLanes;
    put(x3, symbol_of(i + 3));
    put(x2, symbol_of(i + 2));
    put(x1, symbol_of(i + 1));
    put(x0, symbol_of(i));
  }
  const size_t word_count = static_cast<size_t>(words_end - ptr);
  w.varint(kLanes * 4 + word_count * 2);
  for (uint32_t x : {x0, x1, x2, x3}) w.u32le(x);
  const size_t at = out.size();
  out.resize(at + word_count * 2);
  for (size_t i = 0; i < word_count; ++i) store_le16(&out[at + 2 * i], ptr[i]);
}

void BlockEncoder::write_words(ByteWriter& w, Bytes& out, size_t n, const Model& model) {
  const FineMaps& maps = fine_maps();
  std::array<uint16_t, kContexts> offset{};  // of the context's table in symbols_
  std::array<const uint8_t*, kContexts> token_of_context{};  // fine token -> token at the table's m
  for (int e = 0; e < kContexts; ++e) {
    const int k = model.table_of_context[e];
    offset[e] = static_cast<uint16_t>(k * kMaxTokens);
    token_of_context[e] = maps.token[model.m[k]];
  }
  const uint8_t* fine = fine_.data();
  const uint8_t* context = context_.data();
  write_words_of(w, out, n, [&](size_t i) __attribute__((always_inline)) -> const EncSymbol& {
    const uint8_t e = context[i / kLanes];
    return symbols_[offset[e] + token_of_context[e][fine[i]]];
  });
}

// Raw bits, LSB first, raw_of(i) = {bits, count} of value i; branch-free 64-bit writer.
template <class RawOf>
void BlockEncoder::write_raw_of(ByteWriter& w, size_t n, RawOf raw_of) {
  raw_.resize(n * 4 + 16);
  uint8_t* p = raw_.data();
  uint64_t acc = 0;
  uint32_t fill = 0;
  for (size_t i = 0; i < n; ++i) {
    const auto [bits, count] = raw_of(i);
    acc |= bits << fill;
    fill += count;
    store_le64(p, acc);
    const uint32_t bytes = fill >> 3;
    p += bytes;
    acc >>= bytes * 8;  // at most 32: fill was below 8 before adding at most 32 bits
    fill &= 7;
  }
  if (fill) store_le64(p++, acc);
  const size_t raw_size = static_cast<size_t>(p - raw_.data());
  w.varint(raw_size);
  w.bytes({raw_.data(), raw_size});
}

// Mode 0's raw bits: sign, then the low mantissa bits.
void BlockEncoder::write_raw_bits(ByteWriter& w, std::span<const int32_t> v, const Model& model) {
  const FineMaps& maps = fine_maps();
  const uint8_t* fine = fine_.data();
  // Per table and fine token: the raw bits (sign if nonzero, low bits) and the low bits' mask.
  raw_bits_.resize(static_cast<size_t>(model.tables) * kMaxTokens);
  low_mask_.resize(static_cast<size_t>(model.tables) * kMaxTokens);
  for (int k = 0; k < model.tables; ++k)
    for (int f = 0; f < kMaxTokens; ++f) {
      const uint32_t low = maps.low_bits[model.m[k]][f];
      raw_bits_[k * kMaxTokens + f] = static_cast<uint8_t>(low + (f != 0));
      low_mask_[k * kMaxTokens + f] = (1u << low) - 1;  // low <= 31
    }
  std::array<uint16_t, kContexts> row{};
  for (int e = 0; e < kContexts; ++e) row[e] = static_cast<uint16_t>(model.table_of_context[e] * kMaxTokens);
  write_raw_of(w, v.size(), [&](size_t i) __attribute__((always_inline)) {
    const size_t at = row[context_[i / kLanes]] + fine[i];
    const uint64_t bits = (uint64_t{magnitude(v[i]) & low_mask_[at]} << 1) | (static_cast<uint32_t>(v[i]) >> 31);
    return std::pair<uint64_t, uint32_t>{bits, raw_bits_[at]};
  });
}

void BlockEncoder::write_rans(std::span<const int32_t> v, const Model& model, int precision, Bytes& out) {
  ByteWriter w(out);
  write_header(w, model, precision);
  write_tables(w, model, precision);
  write_words(w, out, v.size(), model);
  write_raw_bits(w, v, model);
}

void BlockEncoder::write_packed(std::span<const int32_t> v, Bytes& out) {
  ByteWriter w(out);
  w.u8(static_cast<uint8_t>(BlockMode::packed));
  w.u8(static_cast<uint8_t>(packed_width_));
  BitWriter bw(out);
  for (int32_t x : v) bw.put(zigzag32(x), static_cast<int>(packed_width_));
  bw.flush();
}

// Mode 3: clusters of the cell map grouped into at most max_tables tables (merging the pair
// whose merge costs least, while that saves bits or there are too many), each table's m
// chosen, then the block.
void BlockEncoder::write_cells(std::span<const int32_t> v, const uint8_t* base, const CellMap& map, int precision,
                               Bytes& out) {
  const FineMaps& maps = fine_maps();
  const size_t n = v.size();
  signed_fine_.resize(n);
  table_.resize(n);
  std::vector<SignedHistogram> counts(static_cast<size_t>(map.clusters));
  for (auto& h : counts) h.fill(0);
  for (size_t g = 0, i = 0; i < n; ++g) {
    const uint8_t* cells = map.cluster_of_cell.data() + level_of(context_[g]) * kRows;
    for (const size_t end = std::min(n, i + kLanes); i < end; ++i) {
      const uint32_t f = fine_[i] + (v[i] < 0 ? kMaxTokens : 0);
      signed_fine_[i] = static_cast<uint16_t>(f);
      table_[i] = cells[base[i]];  // the cluster, for now
      ++counts[table_[i]][f];
    }
  }
  const int coarse_count = signed_token_count(kMaxSignedMantissa);
  struct Group {
    SignedHistogram fine;
    Histogram h;  // signed tokens at m = kMaxSignedMantissa
    double cost;
  };
  std::vector<Group> groups;
  std::array<int, kMaxClusters> group_of{};
  for (int c = 0; c < map.clusters; ++c) {
    group_of[c] = -1;
    uint64_t mass = 0;
    for (uint32_t x : counts[c]) mass += x;
    if (!mass) continue;
    Group g{counts[c], {}, 0};
    g.h.fill(0);
    for (int f = 0; f < 2 * kMaxTokens; ++f) g.h[maps.signed_token[kMaxSignedMantissa][f]] += g.fine[f];
    g.cost = table_cost(g.h, coarse_count, precision);
    group_of[c] = static_cast<int>(groups.size());
    groups.push_back(g);
  }
  auto merge_cost = [&](const Group& a, const Group& b) {
    Histogram h;
    for (int t = 0; t < coarse_count; ++t) h[t] = a.h[t] + b.h[t];
    return table_cost(h, coarse_count, precision) - a.cost - b.cost;
  };
  // Twice mode 0's tables: a table per cluster costs less than one per context range.
  const size_t max_tables = static_cast<size_t>(std::min(2 * options_.max_tables, kMaxCellTables));
  std::vector<std::vector<double>> gain(groups.size(), std::vector<double>(groups.size(), 0));
  for (size_t a = 0; a < groups.size(); ++a)
    for (size_t b = a + 1; b < groups.size(); ++b) gain[a][b] = merge_cost(groups[a], groups[b]);
  std::vector<bool> alive(groups.size(), true);
  size_t live = groups.size();
  while (live > 1) {
    size_t best_a = 0, best_b = 0;
    double best = INFINITY;
    for (size_t a = 0; a < groups.size(); ++a)
      if (alive[a])
        for (size_t b = a + 1; b < groups.size(); ++b)
          if (alive[b] && gain[a][b] < best) best = gain[a][b], best_a = a, best_b = b;
    if (live <= max_tables && best >= 0) break;
    Group& a = groups[best_a];
    const Group& b = groups[best_b];
    for (int f = 0; f < 2 * kMaxTokens; ++f) a.fine[f] += b.fine[f];
    for (int t = 0; t < coarse_count; ++t) a.h[t] += b.h[t];
    a.cost += b.cost + best;
    alive[best_b] = false;
    --live;
    for (int c = 0; c < map.clusters; ++c)
      if (group_of[c] == static_cast<int>(best_b)) group_of[c] = static_cast<int>(best_a);
    for (size_t o = 0; o < groups.size(); ++o)
      if (alive[o] && o != best_a)
        (o < best_a ? gain[o][best_a] : gain[best_a][o]) = merge_cost(groups[std::min(o, best_a)], groups[std::max(o, best_a)]);
  }
  // Tables in group order; each table's m by its token, table and raw bits.
  std::array<int, kMaxClusters> table_of_group{};
  std::vector<const SignedHistogram*> fine_of_table;
  for (size_t g = 0; g < groups.size(); ++g)
    if (alive[g]) table_of_group[g] = static_cast<int>(fine_of_table.size()), fine_of_table.push_back(&groups[g].fine);
  const int tables = std::max<int>(1, static_cast<int>(fine_of_table.size()));
  std::array<uint8_t, kMaxCellTables> m{};
  for (int k = 0; k < static_cast<int>(fine_of_table.size()); ++k) {
    double best = 0;
    for (int mm = 0; mm <= kMaxSignedMantissa; ++mm) {
      Histogram h{};
      double bits = 0;
      for (int f = 0; f < 2 * kMaxTokens; ++f) {
        const uint32_t c = (*fine_of_table[k])[f];
        h[maps.signed_token[mm][f]] += c;
        bits += static_cast<double>(c) * maps.low_bits[mm][f % kMaxTokens];
      }
      bits += table_cost(h, signed_token_count(mm), precision);
      if (mm == 0 || bits < best) best = bits, m[k] = static_cast<uint8_t>(mm);
    }
  }
  std::array<uint8_t, kMaxClusters> table_of_cluster{};
  for (int c = 0; c < map.clusters; ++c)
    table_of_cluster[c] = static_cast<uint8_t>(group_of[c] >= 0 ? table_of_group[group_of[c]] : 0);
  for (size_t i = 0; i < n; ++i) table_[i] = table_of_cluster[table_[i]];

  ByteWriter w(out);
  w.u8(static_cast<uint8_t>(BlockMode::rans_cells));
  w.u8(static_cast<uint8_t>(precision));
  w.u8(static_cast<uint8_t>(tables));
  for (int k = 0; k < tables; ++k) w.u8(m[k]);
  w.u8(static_cast<uint8_t>(map.clusters));
  for (int c = 0; c < map.clusters; ++c) w.u8(table_of_cluster[c]);
  // Tables, and the symbols they give ([table][signed token], a stride of 256).
  Bytes table_bytes;
  BitWriter tw(table_bytes);
  std::array<uint32_t, 256> freq{};
  symbols_.resize(static_cast<size_t>(tables) * 256);
  for (int k = 0; k < tables; ++k) {
    const int count = signed_token_count(m[k]);
    Histogram h{};
    if (k < static_cast<int>(fine_of_table.size()))
      for (int f = 0; f < 2 * kMaxTokens; ++f) h[maps.signed_token[m[k]][f]] += (*fine_of_table[k])[f];
    else
      h[0] = 1;  // no values: any valid table
    normalize(h, count, precision, freq.data());
    write_table(tw, freq.data(), count);
    uint32_t start = 0;
    for (int t = 0; t < count; ++t) {
      if (freq[t]) symbols_[k * 256 + t] = make_symbol(start, freq[t], precision);
      start += freq[t];
    }
  }
  tw.flush();
  w.varint(table_bytes.size());
  w.bytes(table_bytes);
  const uint16_t* sf = signed_fine_.data();
  const uint8_t* table = table_.data();
  write_words_of(w, out, n, [&](size_t i) __attribute__((always_inline)) -> const EncSymbol& {
    return symbols_[table[i] * 256 + maps.signed_token[m[table[i]]][sf[i]]];
  });
  write_raw_of(w, n, [&](size_t i) __attribute__((always_inline)) {
    const uint32_t low = maps.low_bits[m[table[i]]][fine_[i]];
    return std::pair<uint64_t, uint32_t>{magnitude(v[i]) & ((1u << low) - 1), low};
  });
}

size_t BlockEncoder::encode(std::span<const int32_t> v, const uint8_t* base, const CellMap* map, Bytes& out) {
  const uint64_t n = v.size();
  ByteWriter(out).varint(n);
  const int precision = std::clamp(static_cast<int>(std::bit_width(n)), kMinPrecision, options_.max_precision);
  const size_t at = out.size();
  analyze(v);
  // Contexts are grouped on the tokens at m = 2 (the usual choice), then m is chosen for
  // those groups: choosing both jointly costs four groupings for a difference of ~0.01%.
  Model model = group_contexts(2, precision);
  choose_mantissa(model, precision);
  write_rans(v, model, precision, out);
  size_t saved = 0;
  // In a base context the block is also coded in mode 3, and the smaller kept.
  if (base && map) {
    const size_t plain = out.size() - at;
    write_cells(v, base, *map, precision, out);
    const size_t cells = out.size() - at - plain;
    if (cells < plain) {
      out.erase(out.begin() + static_cast<std::ptrdiff_t>(at), out.begin() + static_cast<std::ptrdiff_t>(at + plain));
      saved = plain - cells;
    } else {
      out.resize(at + plain);
    }
  }
  // Tiny or incompressible blocks: fixed-width zigzag values when that is smaller.
  const uint64_t packed_bytes = 2 + (n * packed_width_ + 7) / 8;
  if (out.size() - at <= packed_bytes) return saved;
  out.resize(at);
  write_packed(v, out);
  return 0;
}

}  // namespace

Bytes encode(std::span<const int32_t> values, const EncoderOptions& options, std::span<const uint8_t> context) {
  if (context.size() > values.size())
    throw Error(ErrorKind::codec, "rans: a context of " + std::to_string(context.size()) + " bytes for " +
                                      std::to_string(values.size()) + " values");
  Bytes out;
  out.reserve(values.size() * 2 + 16);
  ByteWriter w(out);
  w.u8(context.empty() ? kVersion : kVersionInContext);
  w.varint(values.size());
  std::vector<match::Sequence> sequences;
  if (options.matches) sequences = match::find_matches(values, kMatchMargin, kMatchBurstEvery);
  match::write_sequence_section(sequences, w);
  match::LiteralReader literals(values, sequences);
  BlockEncoder block(options);
  // The fewest blocks of at most 2^block_log2 values, of equal length (whole groups), so
  // no block is a small remainder that pays for a full set of tables.
  const size_t n = literals.count();
  const size_t max_block = size_t{1} << options.block_log2;
  const size_t blocks = (n + max_block - 1) / max_block;
  const size_t length = blocks ? ((n + blocks - 1) / blocks + kLanes - 1) / kLanes * kLanes : 0;
  if (context.empty()) {
    std::vector<int32_t> buffer(sequences.empty() ? 0 : std::min(length, n));
    for (size_t at = 0; at < n; at += length) {
      const size_t count = std::min(length, n - at);
      if (sequences.empty()) {
        block.encode(values.subspan(at, count), nullptr, nullptr, out);
      } else {
        literals.read(buffer.data(), count);
        block.encode(std::span<const int32_t>(buffer.data(), count), nullptr, nullptr, out);
      }
    }
    return out;
  }
  // In a base context: the cell map is fitted to all literals first.
  std::vector<int32_t> buffer;
  if (!sequences.empty()) {
    buffer.resize(n);
    literals.read(buffer.data(), n);
  }
  const std::span<const int32_t> lit = sequences.empty() ? values : std::span<const int32_t>(buffer);
  const std::vector<uint8_t> base = match::literal_contexts(sequences, context, values.size());
  CellCounts counts;
  const int coarse_m = kMaxSignedMantissa;
  for (size_t at = 0; at < n; at += length) {
    const size_t count = std::min(length, n - at);
    const std::span<const uint8_t> e = block.levels(lit.subspan(at, count));
    for (size_t i = 0; i < count; ++i) {
      const int32_t x = lit[at + i];
      const uint8_t c = base[at + i];
      const uint32_t t = token_of(magnitude(x), coarse_m);
      counts.add(level_of(e[i / kLanes]) * kRows + c, t + (x < 0 ? token_count(coarse_m) - 1 : 0));
    }
  }
  const CellMap map = counts.fit();
  const size_t map_at = out.size();
  write_cell_map(map, w);
  const size_t map_bytes = out.size() - map_at;
  size_t saved = 0;
  for (size_t at = 0; at < n; at += length)
    saved += block.encode(lit.subspan(at, std::min(length, n - at)), base.data() + at, &map, out);
  // A base that says too little to pay for the map: coded as without it (version 3).
  if (saved <= map_bytes) return encode(values, options, {});
  return out;
}

}  // namespace lcz::rans
