// The rans stage's matches (codecs/entropy/match/sequences.h): copied and negated runs at any
// lag, overlapping ones (lag < length), the `matches` switch, hand-made corrupt sequences
// refused, and a repeat net (nets/repeats.h) coded far smaller than its source.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <random>

#include "codecs/core/byte_io.h"
#include "codecs/core/registry.h"
#include "codecs/entropy/rans/format.h"
#include "codecs/entropy/match/sequences.h"
#include "nets/net.h"
#include "nets/repeats.h"
#include "tests/rans_support.h"
#include "tests/test_support.h"

using namespace lcz;
using namespace lcz::test;

namespace {

// The sequence count of a stream: [version][varint n][varint S].
uint64_t sequence_count(const Bytes& b) {
  ByteReader r(b, "test");
  r.u8();
  r.varint();
  return r.varint();
}

// A stream of n values: the given sequences, then `literals` in one packed block of width 4.
Bytes hand_made(uint64_t n, const std::vector<match::Sequence>& sequences, const I32& literals, uint64_t claimed_sequences,
                const Bytes& extra_sequence_bytes = {}) {
  Bytes out;
  ByteWriter w(out);
  w.u8(rans::kVersion);
  w.varint(n);
  w.varint(claimed_sequences);
  Bytes coded;
  match::write_sequences(sequences, coded);
  coded.insert(coded.end(), extra_sequence_bytes.begin(), extra_sequence_bytes.end());
  w.varint(coded.size());
  w.bytes(coded);
  w.varint(literals.size());
  w.u8(static_cast<uint8_t>(rans::BlockMode::packed));
  w.u8(4);
  uint64_t acc = 0;
  int fill = 0;
  for (int32_t x : literals) {
    const uint32_t z = (static_cast<uint32_t>(x) << 1) ^ static_cast<uint32_t>(x >> 31);
    acc |= uint64_t{z & 15} << fill;
    fill += 4;
  }
  for (; fill > 0; fill -= 8, acc >>= 8) w.u8(static_cast<uint8_t>(acc));
  return out;
}

}  // namespace

TEST_CASE("rans matches: copies and negations at any lag round-trip and cost little", "[rans][matches]") {
  auto s = make_rans();
  const I32 block = laplacian(3000, 400, 1);
  I32 v = laplacian(20000, 300, 2);
  for (const size_t lag_filler : {size_t{0}, size_t{7}, size_t{50001}}) {
    const I32 filler = laplacian(lag_filler, 300, static_cast<uint32_t>(lag_filler));
    v.insert(v.end(), block.begin(), block.end());
    v.insert(v.end(), filler.begin(), filler.end());
    for (int32_t x : block) v.push_back(static_cast<int32_t>(0u - static_cast<uint32_t>(x)));  // negated copy
  }
  check_round_trip(*s, v);
  const Bytes with = encode(*s, v);
  CHECK(sequence_count(with) >= 3);  // five copies; adjacent ones may merge into one match
  // Six copies of a 3000-value block: without matches each costs as much as the first.
  const Bytes without = encode(*make_rans({{"matches", false}}), v);
  CHECK(sequence_count(without) == 0);
  CHECK(decode(*s, without) == v);
  const double per_copy = static_cast<double>(encode(*s, block).size());
  CHECK(static_cast<double>(without.size()) - static_cast<double>(with.size()) > 0.9 * 5 * per_copy);
}

TEST_CASE("rans matches: short exact repeats at structured lags, at any alignment", "[rans][matches]") {
  // A tenth of the 16-value blocks (each at a random offset) copied exactly from k * 64
  // values earlier, as the same square of another board plane. The finder must see nearly all
  // of them (a lookup every 8 values: any 14-value repeat), and each copy must save at least
  // half of what its literals cost beyond a sequence's price.
  auto s = make_rans();
  I32 v = laplacian(200000, 300, 31);
  std::mt19937 rng(32);
  size_t copies = 0;
  for (size_t b = 4096; b + 32 <= v.size(); b += 16) {
    if (rng() % 10 != 0) continue;
    const size_t at = b + rng() % 16, lag = 64 * (1 + rng() % 16);
    std::copy_n(v.begin() + static_cast<std::ptrdiff_t>(at - lag), 16, v.begin() + static_cast<std::ptrdiff_t>(at));
    ++copies;
    b += 16;  // copies do not touch
  }
  check_round_trip(*s, v);
  const Bytes with = encode(*s, v);
  const Bytes without = encode(*make_rans({{"matches", false}}), v);
  CHECK(sequence_count(with) >= copies * 9 / 10);
  const double bits_per_value = 8.0 * static_cast<double>(without.size()) / static_cast<double>(v.size());
  const double saved_bits = 8.0 * (static_cast<double>(without.size()) - static_cast<double>(with.size()));
  CHECK(saved_bits > 0.5 * static_cast<double>(copies) * (16 * bits_per_value - 64));
}

TEST_CASE("rans matches: overlapping runs (lag < length), negated, and the int32 extremes", "[rans][matches]") {
  auto s = make_rans();
  I32 v = laplacian(1000, 50, 3);
  v.insert(v.end(), 5000, 12345);  // lag 1
  for (int i = 0; i < 4000; ++i) v.push_back(i % 2 ? -777 : 777);  // lag 1 negated, or lag 2
  for (int i = 0; i < 3000; ++i) v.push_back((i % 3 - 1) * 100003);  // lag 3
  v.insert(v.end(), 64, std::numeric_limits<int32_t>::min());  // its negation wraps to itself
  for (int i = 0; i < 64; ++i) v.push_back(i % 2 ? std::numeric_limits<int32_t>::max() : -std::numeric_limits<int32_t>::max());
  const I32 tail = laplacian(999, 50, 4);
  v.insert(v.end(), tail.begin(), tail.end());
  check_round_trip(*s, v);
  const Bytes b = encode(*s, v);
  CHECK(sequence_count(b) >= 3);
  // The 12,000+ repeating values cost next to nothing beside the 2,000 random ones.
  CHECK(b.size() < encode(*s, laplacian(2000, 50, 5)).size() + 200);
  // Edge sizes around the shortest stream that is searched, and a block boundary inside a run.
  for (size_t n : {size_t{63}, size_t{64}, size_t{65}, size_t{200}}) check_round_trip(*s, I32(n, 9));
  I32 long_run = laplacian(70000, 20, 6);
  long_run.insert(long_run.end(), 100000, -4);
  check_round_trip(*make_rans({{"block_log2", 8}}), long_run);
}

TEST_CASE("write_match writes what copying one value at a time in order writes", "[rans][cm][matches]") {
  // Every offset and length up to past a few doublings, both ways, over values that include
  // the int32 extremes (negating INT_MIN wraps to itself); the values before the match and
  // after it stay as they were.
  std::mt19937 rng(11);
  const std::vector<int32_t> extremes = {std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max(), -1, 0, 1};
  for (uint32_t offset = 1; offset <= 70; ++offset) {
    for (uint32_t length : {0u, 1u, 2u, 3u, 7u, 8u, 69u, 70u, 71u, 139u, 140u, 141u, 300u, 1000u}) {
      for (bool negate : {false, true}) {
        std::vector<int32_t> before(offset + length + 5);
        for (size_t k = 0; k < before.size(); ++k)
          before[k] = rng() % 4 == 0 ? extremes[rng() % extremes.size()] : static_cast<int32_t>(rng());
        std::vector<int32_t> expected = before;
        for (uint32_t k = 0; k < length; ++k) {
          const int32_t src = expected[offset + k - offset];
          expected[offset + k] = negate ? static_cast<int32_t>(0u - static_cast<uint32_t>(src)) : src;
        }
        std::vector<int32_t> got = before;
        match::write_match(got.data() + offset, offset, length, negate);
        INFO("offset " << offset << ", length " << length << (negate ? ", negated" : ""));
        REQUIRE(got == expected);
      }
    }
  }
}

TEST_CASE("SequenceWriter fed literals in pieces writes what one pass over the whole stream writes", "[rans][cm][matches]") {
  // Random sequences (overlapping, negated, none to many literals between matches, matches
  // right after matches), their literals given at once in place and in random pieces from
  // another buffer; both must equal the stream built one value at a time.
  std::mt19937 rng(12);
  for (int round = 0; round < 200; ++round) {
    std::vector<match::Sequence> sequences;
    I32 expected;
    I32 literals;
    auto add_literals = [&](uint32_t count) {
      for (uint32_t k = 0; k < count; ++k) {
        literals.push_back(static_cast<int32_t>(rng()) >> (rng() % 32));
        expected.push_back(literals.back());
      }
    };
    const int count = static_cast<int>(rng() % 12);
    for (int i = 0; i < count; ++i) {
      const uint32_t lits = i == 0 ? 1 + rng() % 20 : (rng() % 3 == 0 ? 0 : rng() % 20);
      add_literals(lits);
      const uint32_t offset = 1 + rng() % static_cast<uint32_t>(expected.size());
      const uint32_t length = match::kMinMatch + rng() % 50;
      const bool negate = rng() % 2 == 1;
      for (uint32_t k = 0; k < length; ++k) {
        const int32_t v = expected[expected.size() - offset];
        expected.push_back(negate ? static_cast<int32_t>(0u - static_cast<uint32_t>(v)) : v);
      }
      sequences.push_back({.literals = lits, .length = length, .offset = offset, .negate = negate});
    }
    add_literals(rng() % 10);
    const size_t n = expected.size();
    I32 in_place(n, 0);
    std::copy(literals.begin(), literals.end(), in_place.end() - static_cast<std::ptrdiff_t>(literals.size()));
    match::apply_sequences(sequences, in_place.data(), n, literals.size());
    REQUIRE(in_place == expected);
    I32 pieces(n, 0);
    match::SequenceWriter writer(sequences, pieces.data());
    for (size_t done = 0; done < literals.size();) {
      const size_t take = std::min<size_t>(rng() % 7, literals.size() - done);  // 0 too
      writer.literals(literals.data() + done, take);
      done += take;
    }
    writer.literals(literals.data() + literals.size(), 0);
    REQUIRE(pieces == expected);
  }
}

TEST_CASE("rans refuses corrupt sequences", "[rans][matches]") {
  // Valid: literals 5, -3, then six copies of -3 (lag 1): 8 values.
  const std::vector<match::Sequence> good = {{.literals = 2, .length = 6, .offset = 1, .negate = false}};
  const Bytes valid = hand_made(8, good, {5, -3}, 1);
  REQUIRE(decode(*make_rans(), valid) == I32{5, -3, -3, -3, -3, -3, -3, -3});
  const std::vector<match::Sequence> negated = {{.literals = 2, .length = 6, .offset = 2, .negate = true}};
  REQUIRE(decode(*make_rans(), hand_made(8, negated, {5, -3}, 1)) == I32{5, -3, -5, 3, 5, -3, -5, 3});

  check_refused(*make_rans(), hand_made(8, {{2, 6, 3, false}}, {5, -3}, 1), "offset 3 at value 2: before the stream");
  check_refused(*make_rans(), hand_made(8, {{0, 8, 1, false}}, {}, 1), "a match at value 0");
  check_refused(*make_rans(), hand_made(8, {{2, 7, 1, false}}, {5, -3}, 1), "a match past the end");
  check_refused(*make_rans(), hand_made(8, {{2, 6, 1, false}}, {5, -3, 1}, 1), "more literals than the sequences leave");
  check_refused(*make_rans(), hand_made(9, {{2, 6, 1, false}}, {5, -3}, 1), "fewer literals than the sequences leave");
  check_refused(*make_rans(), hand_made(8, good, {5, -3}, 2), "two sequences claimed, one coded");
  check_refused(*make_rans(), hand_made(8, good, {5, -3}, 3), "more sequences than 8 values can hold");
  check_refused(*make_rans(), hand_made(8, good, {5, -3}, 1, Bytes{0}), "a trailing byte after the sequences");
  Bytes cut = valid;
  cut[3] = 0;  // no sequence bytes, the sequence count still 1
  check_refused(*make_rans(), cut, "sequence bytes missing");
  Bytes all_zero = hand_made(8, good, {5, -3}, 1);
  all_zero[4] = all_zero[5] = 0;  // the sequence's two bytes: an endless unary code
  check_refused(*make_rans(), all_zero, "a length code without end");
  // Every truncation and many byte flips of a stream with sequences: an error or some
  // output, never a crash.
  I32 v = laplacian(3000, 40, 8);
  const I32 copy(v.begin(), v.begin() + 1000);
  v.insert(v.end(), copy.begin(), copy.end());
  v.insert(v.end(), 500, 0);
  const Bytes b = encode(*make_rans(), v);
  REQUIRE(sequence_count(b) >= 2);
  for (size_t keep = 0; keep < b.size(); keep += 1 + keep / 16) check_refused(*make_rans(), Bytes(b.begin(), b.begin() + keep), "truncated");
  std::mt19937 rng(3);
  for (int trial = 0; trial < 400; ++trial) {
    Bytes bad = b;
    bad[rng() % std::min<size_t>(bad.size(), 64)] ^= static_cast<uint8_t>(1 + rng() % 255);
    try {
      (void)make_rans()->decode(Stream(bad));
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::codec);
    }
  }
}

TEST_CASE("rans on a repeat net: far smaller than on its source", "[rans][matches][repeats]") {
  // maia-1900 rounded at 2^-16, and the same with 30% of its 576-value blocks replaced by
  // copies and negations of earlier ones: those blocks should cost next to nothing.
  const auto [a, b] = test::rounded_with_repeats("maia-1900.pb.gz", 9);
  auto s = make_rans();
  const Bytes coded_source = encode(*s, a), coded_repeats = encode(*s, b);
  CHECK(decode(*s, coded_repeats) == b);
  INFO("source " << coded_source.size() << " bytes, repeat net " << coded_repeats.size());
  CHECK(coded_repeats.size() < 0.75 * static_cast<double>(coded_source.size()));
  // Without matches the static tables see none of it.
  CHECK(encode(*make_rans({{"matches", false}}), b).size() > 0.97 * static_cast<double>(coded_source.size()));
}
