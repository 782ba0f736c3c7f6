// The repeat-net generator (nets/repeats.h): deterministic for a seed, replaces the share of
// blocks asked for, each by an exact copy or negation of an earlier stretch, and leaves the
// rest of the values alone.
#include <catch2/catch.hpp>

#include <cmath>
#include <stdexcept>

#include "nets/repeats.h"
#include "test_support.h"

using namespace lcz;

namespace {

// Whether `block` values at `at` equal sign * the values at some earlier start.
bool is_repeat(const std::vector<float>& v, size_t at, size_t block, float sign) {
  for (size_t from = 0; from + block <= at; ++from) {
    size_t i = 0;
    while (i < block && v[at + i] == sign * v[from + i]) ++i;
    if (i == block) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("with_repeats replaces the share of blocks asked for by copies and negations", "[repeats]") {
  const std::vector<float> src = test::normal_weights(64 * 100 + 17, 1);
  const RepeatOptions o{.share = 0.3, .block = 64, .negate_share = 0.5, .seed = 7};
  const std::vector<float> out = with_repeats(src, o);
  REQUIRE(out.size() == src.size());
  CHECK(with_repeats(src, o) == out);  // deterministic
  RepeatOptions other = o;
  other.seed = 8;
  CHECK(with_repeats(src, other) != out);

  size_t changed = 0, copies = 0, negations = 0;
  for (size_t b = 0; b < 100; ++b) {
    const size_t at = b * 64;
    if (std::equal(out.begin() + at, out.begin() + at + 64, src.begin() + at)) continue;
    INFO("block " << b);
    CHECK(b > 0);  // the first block is never replaced
    ++changed;
    const bool copy = is_repeat(out, at, 64, 1.0f), neg = is_repeat(out, at, 64, -1.0f);
    CHECK((copy || neg));
    copies += copy;
    negations += neg;
  }
  CHECK(changed == 30);  // round(0.3 * 99); random weights never repeat by chance
  CHECK(copies == 15);
  CHECK(negations == 15);
  CHECK(std::equal(out.end() - 17, out.end(), src.end() - 17));  // the partial last block stays
}

TEST_CASE("with_repeats: share 0 is the identity, bad options are refused", "[repeats]") {
  const std::vector<float> src = test::normal_weights(5000, 2);
  CHECK(with_repeats(src, {.share = 0, .block = 100}) == src);
  CHECK(with_repeats(std::span<const float>{}, {.share = 1}).empty());
  CHECK(with_repeats(src, {.share = 1, .block = 5000}) == src);  // one block: nothing earlier to copy
  const std::vector<float> all = with_repeats(src, {.share = 1, .block = 100, .negate_share = 0});
  for (size_t b = 1; b < 50; ++b) CHECK(is_repeat(all, b * 100, 100, 1.0f));
  CHECK_THROWS_AS(with_repeats(src, {.block = 0}), std::invalid_argument);
  CHECK_THROWS_AS(with_repeats(src, {.share = 1.5}), std::invalid_argument);
  CHECK_THROWS_AS(with_repeats(src, {.negate_share = -0.1}), std::invalid_argument);
  CHECK_THROWS_AS(with_repeats(src, {.share = std::nan("")}), std::invalid_argument);
}
