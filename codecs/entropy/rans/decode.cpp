#include "codecs/entropy/rans/decode.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <vector>

#include "codecs/core/bit_reader.h"
#include "codecs/core/byte_io.h"
#include "codecs/core/cpu_clones.h"
#include "codecs/core/little_endian.h"
#include "codecs/core/zigzag.h"
#include "codecs/entropy/rans/cell_map.h"
#include "codecs/entropy/rans/format.h"
#include "codecs/entropy/match/sequences.h"
#include "codecs/entropy/rans/table_code.h"

namespace lcz::rans {
namespace {

constexpr int kSymStride = 256;  // DecEntry rows per table: a power of two for indexing
// Zero bytes after the copied payloads: a group reads at most kLanes words past a checked
// position, and at most kLanes * 32 raw bits plus one 64-bit window.
constexpr size_t kWordPadding = kLanes * 2;
constexpr size_t kRawPadding = kLanes * 4 + 8;

// What the decoder needs of a token under one table: its interval, and how to rebuild the value.
struct DecEntry {
  uint16_t freq;
  uint16_t start;
  uint32_t base;  // smallest magnitude of the token
  uint32_t mask;  // of the raw bits: sign (if nonzero, mode 0) and low mantissa bits
  uint16_t bits;
  uint16_t neg;   // mode 3: 1 for the tokens of negative values
};

// One block's decoding tables and payloads, checked; the hot loop trusts them.
struct Block {
  int precision;
  std::array<uint8_t, kContexts> table_of_context;
  const uint16_t* slots;     // [table][slot]: token | class << 8
  const DecEntry* entries;   // [table][token]
  const uint8_t* words;      // rANS payload, zero-padded; states at 0, words from 16
  size_t words_size;         // unpadded
  const uint8_t* base;       // modes 2 and 3: the values' base context bytes
  const uint8_t* table_of_cell;  // mode 3: [level * kRows + context byte] -> table
  const uint8_t* raw;        // raw bits, zero-padded
  size_t raw_bits;           // unpadded
};

struct End {
  bool complete;  // false: stopped early, a payload ran out
  uint32_t x[kLanes];
  size_t wpos, bpos;
};

// Where a value's table comes from: the group's running context (mode 0), that mixed with the
// group's base context bytes (mode 2), or the value's own cell (mode 3; its sign is then in its
// token, not a raw bit).
enum class TableOf { group, group_and_base, cell };

template <int P, TableOf kTableOf>
[[gnu::always_inline]] inline End run(const Block& b, int32_t* out, size_t n) {
  constexpr uint32_t kMask = (1u << P) - 1;
  constexpr bool kSignInToken = kTableOf == TableOf::cell;
  End end{};
  uint32_t x0 = load_le32(b.words), x1 = load_le32(b.words + 4), x2 = load_le32(b.words + 8), x3 = load_le32(b.words + 12);
  const uint8_t* wp = b.words + kLanes * 4;
  const uint8_t* const wend = b.words + b.words_size;
  size_t bpos = 0;
  const uint8_t* raw = b.raw;
  uint32_t e = 0;
  // Forced inline: called as a function, its captured state would live in memory.
  auto step = [&](uint32_t& state, uint32_t table, uint32_t& class_sum, int32_t* o) __attribute__((always_inline)) {
    const uint16_t* slots = b.slots + (table << P);
    const DecEntry* entries = b.entries + table * kSymStride;
    uint32_t x = state;
    const uint32_t slot = x & kMask;
    const uint32_t entry = slots[slot];
    class_sum += entry >> 8;
    const DecEntry& d = entries[entry & 0xff];
    x = d.freq * (x >> P) + slot - d.start;
    // Renormalization without a branch (it is taken ~1 time in 4, unpredictably).
    const uint32_t refill = x < kStateLow;
    x = (x << (refill << 4)) | (load_le16(wp) & (0u - refill));
    wp += refill << 1;
    state = x;
    const uint32_t bits = static_cast<uint32_t>(load_le64(raw + (bpos >> 3)) >> (bpos & 7)) & d.mask;
    bpos += d.bits;
    const uint32_t sign = kSignInToken ? d.neg : bits & 1;
    const uint32_t mag = d.base + (kSignInToken ? bits : bits >> 1);
    *o = static_cast<int32_t>((mag ^ (0u - sign)) + sign);
  };
  const size_t groups = n / kLanes;
  end.complete = true;
  for (size_t g = 0; g <= groups; ++g) {
    const size_t lanes = g < groups ? kLanes : n % kLanes;
    if (lanes == 0) break;
    // Checked once per group: the padding covers what one group can read past this point.
    if (bpos > b.raw_bits || wp > wend) {
      end.complete = false;
      break;
    }
    const uint8_t* bc = nullptr;  // the group's base context bytes
    if constexpr (kTableOf != TableOf::group) bc = b.base + g * kLanes;
    uint32_t group_table = 0;
    if constexpr (kTableOf == TableOf::group) group_table = b.table_of_context[e];
    if constexpr (kTableOf == TableOf::group_and_base) {
      uint32_t sum = 0;
      for (size_t j = 0; j < lanes; ++j) sum += base_class(bc[j]);
      group_table = b.table_of_context[base_group_context(e, sum)];
    }
    const uint8_t* cells = kTableOf == TableOf::cell ? b.table_of_cell + level_of(e) * kRows : nullptr;
    // Lane j's table; only the lanes of the group are read (the last group may be partial).
    auto table = [&](size_t j) __attribute__((always_inline)) -> uint32_t {
      if constexpr (kTableOf == TableOf::cell) return cells[bc[j]];
      else return group_table;
    };
    uint32_t class_sum = 0;
    int32_t* o = out + g * kLanes;
    // (No array of lane pointers: states whose address is taken stay in memory.)
    static_assert(kLanes == 4);
    step(x0, table(0), class_sum, o);
    if (lanes > 1) step(x1, table(1), class_sum, o + 1);
    if (lanes > 2) step(x2, table(2), class_sum, o + 2);
    if (lanes > 3) step(x3, table(3), class_sum, o + 3);
    e = next_context(e, class_sum);
  }
  end.x[0] = x0, end.x[1] = x1, end.x[2] = x2, end.x[3] = x3;
  end.wpos = static_cast<size_t>(wp - b.words);
  end.bpos = bpos;
  return end;
}

template <TableOf kTableOf>
[[gnu::always_inline]] inline End run_at_precision(const Block& b, int32_t* out, size_t n) {
  static_assert(kMinPrecision == 8 && kMaxPrecision == 15, "one run<P> per precision");
  switch (b.precision) {
    case 8: return run<8, kTableOf>(b, out, n);
    case 9: return run<9, kTableOf>(b, out, n);
    case 10: return run<10, kTableOf>(b, out, n);
    case 11: return run<11, kTableOf>(b, out, n);
    case 12: return run<12, kTableOf>(b, out, n);
    case 13: return run<13, kTableOf>(b, out, n);
    case 14: return run<14, kTableOf>(b, out, n);
    default: return run<15, kTableOf>(b, out, n);
  }
}

// The hot loop of every block, for every mode. On x86-64 with GCC a clone for x86-64-v3 is
// picked at load time where the CPU has it: its shifts by a variable count (BMI2) need no
// count register (leela_grouped: 2.37 -> 2.22 ms); the same values either way.
LCZ_CLONES_FOR("arch=x86-64-v3")
End run_block(const Block& b, int32_t* out, size_t n, TableOf table_of) {
  switch (table_of) {
    case TableOf::cell: return run_at_precision<TableOf::cell>(b, out, n);
    case TableOf::group_and_base: return run_at_precision<TableOf::group_and_base>(b, out, n);
    default: return run_at_precision<TableOf::group>(b, out, n);
  }
}

class BlockDecoder {
 public:
  // A block of mode 0, 2 or 3, after its mode byte. base: the values' base context bytes
  // (modes 2 and 3), else nullptr; map: the stream's cell map (mode 3).
  void decode_rans(ByteReader& r, BlockMode mode, int32_t* out, size_t n, const uint8_t* base, const CellMap* map);
  void decode_packed(ByteReader& r, int32_t* out, size_t n);

 private:
  // The phases of decode_rans, in stream order; each checks what it reads.
  int read_precision_and_tables(ByteReader& r, Block& b, int max_tables);  // returns the table count
  void read_context_bounds(ByteReader& r, Block& b, int tables);            // modes 0 and 2
  std::array<int, kMaxCellTables> read_mantissa(ByteReader& r, int tables, int max_mantissa);
  void read_table_of_cell(ByteReader& r, Block& b, int tables, const CellMap& map);  // mode 3
  // signed_tokens: mode 3's tables.
  void read_tables(ByteReader& r, Block& b, int tables, const std::array<int, kMaxCellTables>& mantissa, bool signed_tokens);
  size_t read_words(ByteReader& r, Block& b);  // returns where they start, for messages
  size_t read_raw_bits(ByteReader& r, Block& b);
  static void check_end(ByteReader& r, const Block& b, const End& end, size_t rans_at, size_t raw_at);

  std::vector<uint16_t> slots_;
  std::vector<DecEntry> entries_;
  std::vector<uint8_t> words_, raw_;  // zero-padded copies of the payloads
  std::array<uint8_t, kCells> table_of_cell_;
};

int BlockDecoder::read_precision_and_tables(ByteReader& r, Block& b, int max_tables) {
  const size_t header_at = r.offset();
  b.precision = r.u8();
  const int tables = r.u8();
  if (b.precision < kMinPrecision || b.precision > kMaxPrecision)
    r.fail(header_at, "table precision " + std::to_string(b.precision) + " out of range");
  if (tables < 1 || tables > max_tables) r.fail(header_at + 1, "table count " + std::to_string(tables) + " out of range");
  return tables;
}

// The context boundaries of tables 1..K-1.
void BlockDecoder::read_context_bounds(ByteReader& r, Block& b, int tables) {
  b.table_of_context.fill(0);
  int prev_bound = 0;
  for (int k = 1; k < tables; ++k) {
    const size_t at = r.offset();
    const int bound = r.u8();
    if (bound <= prev_bound || bound >= kContexts)
      r.fail(at, "context boundary " + std::to_string(bound) + " out of order or range");
    std::fill(b.table_of_context.begin() + bound, b.table_of_context.end(), static_cast<uint8_t>(k));
    prev_bound = bound;
  }
}

// Each table's mantissa bits.
std::array<int, kMaxCellTables> BlockDecoder::read_mantissa(ByteReader& r, int tables, int max_mantissa) {
  std::array<int, kMaxCellTables> mantissa{};
  for (int k = 0; k < tables; ++k) {
    const size_t at = r.offset();
    mantissa[k] = r.u8();
    if (mantissa[k] > max_mantissa)
      r.fail(at, "mantissa bits " + std::to_string(mantissa[k]) + " exceed " + std::to_string(max_mantissa));
  }
  return mantissa;
}

// The cluster count (the cell map's) and each cluster's table: the table of every cell.
void BlockDecoder::read_table_of_cell(ByteReader& r, Block& b, int tables, const CellMap& map) {
  const size_t clusters_at = r.offset();
  const int clusters = r.u8();
  if (clusters != map.clusters)
    r.fail(clusters_at, std::to_string(clusters) + " clusters, the cell map has " + std::to_string(map.clusters));
  std::array<uint8_t, kMaxClusters> table_of_cluster{};
  for (int c = 0; c < clusters; ++c) {
    const size_t at = r.offset();
    table_of_cluster[c] = r.u8();
    if (table_of_cluster[c] >= tables)
      r.fail(at, "cluster " + std::to_string(c) + " mapped to table " + std::to_string(table_of_cluster[c]) + " of " +
                     std::to_string(tables));
  }
  for (int i = 0; i < kCells; ++i) table_of_cell_[i] = table_of_cluster[map.cluster_of_cell[i]];
  b.table_of_cell = table_of_cell_.data();
}

// The frequency tables -> decoder symbols and the slot lookup.
void BlockDecoder::read_tables(ByteReader& r, Block& b, int tables, const std::array<int, kMaxCellTables>& mantissa,
                               bool signed_tokens) {
  const size_t table_bytes = r.count(r.remaining(), "table byte length");
  const size_t tables_at = r.offset();
  BitReader bits(r.bytes(table_bytes), tables_at);
  slots_.resize(static_cast<size_t>(tables) << b.precision);
  entries_.resize(static_cast<size_t>(tables) * kSymStride);
  static_assert(kMaxSignedTokens <= kSymStride && kMaxTokens <= kSymStride);
  std::array<uint32_t, kSymStride> freq;
  std::array<DecEntry, kSymStride> value{};
  std::array<uint16_t, kSymStride> cls{};
  for (int k = 0; k < tables; ++k) {
    const int m = mantissa[k], unsigned_count = token_count(m);
    const int count = signed_tokens ? signed_token_count(m) : unsigned_count;
    for (int t = 0; t < count; ++t) {
      // Mode 3: tokens past the unsigned ones are those of negative values, no sign bit.
      const bool neg = t >= unsigned_count;
      const TokenShape s = token_shape(static_cast<uint32_t>(neg ? t - unsigned_count + 1 : t), m);
      const uint32_t n_bits = s.low_bits + (t != 0 && !signed_tokens ? 1u : 0u);
      value[t] = {0, 0, s.base, n_bits == 32 ? ~0u : (1u << n_bits) - 1, static_cast<uint16_t>(n_bits), neg};
      cls[t] = static_cast<uint16_t>(s.cls << 8);
    }
    read_table(bits, b.precision, count, freq.data());
    uint16_t* slot = &slots_[static_cast<size_t>(k) << b.precision];
    uint32_t start = 0;
    for (int t = 0; t < count; ++t) {
      DecEntry& d = entries_[k * kSymStride + t];
      d = value[t];
      d.freq = static_cast<uint16_t>(freq[t]);
      d.start = static_cast<uint16_t>(start);
      std::fill(slot + start, slot + start + freq[t], static_cast<uint16_t>(t | cls[t]));
      start += freq[t];
    }
  }
  if (bits.bits_left() >= 8) r.fail(bits.byte_offset(), "trailing bytes after the frequency tables");
  b.slots = slots_.data();
  b.entries = entries_.data();
}

// The rANS payload: lane states, then 16-bit words.
size_t BlockDecoder::read_words(ByteReader& r, Block& b) {
  const size_t rans_at = r.offset();
  b.words_size = r.count(r.remaining(), "rANS byte length");
  if (b.words_size < kLanes * 4 || b.words_size % 2)
    r.fail(rans_at, "rANS length " + std::to_string(b.words_size) + " is not 16 state bytes plus whole words");
  auto words_in = r.bytes(b.words_size);
  words_.assign(b.words_size + kWordPadding, 0);
  std::copy(words_in.begin(), words_in.end(), words_.begin());
  b.words = words_.data();
  for (int l = 0; l < kLanes; ++l) {
    const uint32_t x = load_le32(b.words + 4 * l);
    if (x < kStateLow || x >= kStateLow << kWordBits)
      r.fail(rans_at + 4 * l, "rANS state " + std::to_string(x) + " out of range");
  }
  return rans_at;
}

// The raw bits (sign and low mantissa bits).
size_t BlockDecoder::read_raw_bits(ByteReader& r, Block& b) {
  const size_t raw_at = r.offset();
  const size_t raw_size = r.count(r.remaining(), "raw byte length");
  auto raw_in = r.bytes(raw_size);
  raw_.assign(raw_size + kRawPadding, 0);
  std::copy(raw_in.begin(), raw_in.end(), raw_.begin());
  b.raw = raw_.data();
  b.raw_bits = raw_size * 8;
  return raw_at;
}

// The values used exactly the payloads, and every lane is back in its initial state.
void BlockDecoder::check_end(ByteReader& r, const Block& b, const End& end, size_t rans_at, size_t raw_at) {
  if (!end.complete) r.fail(rans_at, "the block's values need more rANS words or raw bits than it has");
  if (end.bpos > b.raw_bits || b.raw_bits - end.bpos >= 8)
    r.fail(raw_at, "raw bits: the values need " + std::to_string(end.bpos) + " bits, the block has " +
                       std::to_string(b.raw_bits / 8) + " bytes");
  if (end.wpos != b.words_size)
    r.fail(rans_at, "rANS words: the values need " + std::to_string(end.wpos) + " bytes, the block has " +
                        std::to_string(b.words_size));
  for (int l = 0; l < kLanes; ++l)
    if (end.x[l] != kStateLow) r.fail(rans_at, "rANS lane " + std::to_string(l) + " does not end in its initial state");
}

void BlockDecoder::decode_rans(ByteReader& r, BlockMode mode, int32_t* out, size_t n, const uint8_t* base,
                               const CellMap* map) {
  Block b{};
  b.base = base;
  const bool cells = mode == BlockMode::rans_cells;
  const int tables = read_precision_and_tables(r, b, cells ? kMaxCellTables : kMaxTables);
  if (!cells) read_context_bounds(r, b, tables);
  const std::array<int, kMaxCellTables> mantissa = read_mantissa(r, tables, cells ? kMaxSignedMantissa : kMaxMantissa);
  if (cells) read_table_of_cell(r, b, tables, *map);
  read_tables(r, b, tables, mantissa, /*signed_tokens=*/cells);
  const size_t rans_at = read_words(r, b);
  const size_t raw_at = read_raw_bits(r, b);
  const End end = run_block(b, out, n, cells ? TableOf::cell : base ? TableOf::group_and_base : TableOf::group);
  check_end(r, b, end, rans_at, raw_at);
}

void BlockDecoder::decode_packed(ByteReader& r, int32_t* out, size_t n) {
  const size_t at = r.offset();
  const uint32_t width = r.u8();
  if (width > 32) r.fail(at, "packed width " + std::to_string(width) + " exceeds 32");
  const uint64_t payload = (uint64_t{n} * width + 7) / 8;
  if (payload > r.remaining())
    r.fail(r.offset(), "packed block needs " + std::to_string(payload) + " bytes, " + std::to_string(r.remaining()) + " left");
  auto data = r.bytes(payload);
  BitReader bits(data, 0);  // its length was checked above
  for (size_t i = 0; i < n; ++i) out[i] = unzigzag32(bits.get(static_cast<int>(width)));
}

// A block's value count, at most `limit`.
size_t block_count(ByteReader& r, uint64_t limit) {
  const size_t at = r.offset();
  const size_t count = r.count(limit, "block value count");
  if (count == 0) r.fail(at, "empty block");
  return count;
}

// The rest of a block of `count` values, into dst; base: their base context bytes, or nullptr;
// map: the stream's cell map (version 4), or nullptr.
void decode_block(ByteReader& r, BlockDecoder& block, int32_t* dst, size_t count, const uint8_t* base, const CellMap* map) {
  const size_t mode_at = r.offset();
  const uint8_t mode = r.u8();
  switch (static_cast<BlockMode>(mode)) {
    case BlockMode::rans_cells:
      if (!map || !base) r.fail(mode_at, "block mode 3 outside a stream coded in a base context (version 4)");
      block.decode_rans(r, BlockMode::rans_cells, dst, count, base, map);
      break;
    case BlockMode::rans: block.decode_rans(r, BlockMode::rans, dst, count, nullptr, nullptr); break;
    case BlockMode::rans_base:
      if (!base) r.fail(mode_at, "block coded in a base context: decoding needs the base");
      block.decode_rans(r, BlockMode::rans_base, dst, count, base, nullptr);
      break;
    case BlockMode::packed: block.decode_packed(r, dst, count); break;
    default: r.fail(mode_at, "unknown block mode " + std::to_string(mode));
  }
}

}  // namespace

I32 decode(std::span<const uint8_t> bytes, uint64_t max_values, std::span<const uint8_t> context) {
  ByteReader r(bytes, "rans");
  const int version = r.u8();
  if (version != kVersion && version != kVersionInContext)
    r.fail(0, "format version " + std::to_string(version) + ", expected " + std::to_string(kVersion) + " or " +
                  std::to_string(kVersionInContext));
  if (version == kVersionInContext && context.empty())
    r.fail(0, "stream coded in a base context (version 4): decoding needs the base");
  const size_t count_at = r.offset();
  const uint64_t n = r.count(max_values, "value count");
  if (context.size() > n) r.fail(count_at, std::to_string(n) + " values for a context of " + std::to_string(context.size()));
  const uint64_t sequence_count = r.count(n / match::kMinMatch, "sequence count");
  I32 out;
  BlockDecoder block;
  std::optional<CellMap> map;
  if (sequence_count == 0) {
    if (version == kVersionInContext) map = read_cell_map(r);
    // Grown block by block: a corrupt count alone does not allocate. The context (the last
    // context.size() values) is checked against n above, so n - its size values have none.
    std::vector<uint8_t> base;
    if (!context.empty()) {
      base.assign(n - context.size(), 0);
      base.insert(base.end(), context.begin(), context.end());
    }
    out.reserve(std::min<uint64_t>(n, bytes.size() * 16 + 4096));
    while (out.size() < n) {
      const size_t first = out.size();
      out.resize(first + block_count(r, n - first));
      decode_block(r, block, out.data() + first, out.size() - first, base.empty() ? nullptr : base.data() + first,
                   map ? &*map : nullptr);
    }
    r.expect_end();
    return out;
  }
  const size_t sequence_bytes = r.count(r.remaining(), "sequence byte length");
  const size_t sequences_base = r.offset();
  const std::vector<match::Sequence> sequences =
      match::read_sequences(r.bytes(sequence_bytes), "rans", sequences_base, sequence_count, n);
  if (version == kVersionInContext) map = read_cell_map(r);
  const uint64_t literal_count = n - match::matched_values(sequences);  // read_sequences checked it is >= 0
  // The sequences are consistent with n: it is allocated now, and the literals decoded into
  // its tail.
  out.resize(n);
  const std::vector<uint8_t> base = context.empty() ? std::vector<uint8_t>() : match::literal_contexts(sequences, context, n);
  match::SequenceWriter writer(sequences, out.data());
  for (uint64_t done = 0; done < literal_count;) {
    const size_t count = block_count(r, literal_count - done);
    int32_t* const block_values = out.data() + (n - literal_count) + done;
    decode_block(r, block, block_values, count, base.empty() ? nullptr : base.data() + done, map ? &*map : nullptr);
    writer.literals(block_values, count);  // each block's values moved (and the matches written) while in cache
    done += count;
  }
  r.expect_end();
  return out;
}

}  // namespace lcz::rans
