// The dead-filter net generator (nets/dead_filters.h): deterministic for a seed; counted on its
// output, the dead filters, faint filters and short copies are the shares asked for; dead
// filters are whole filters, copies exact and at structured lags; bad options refused.
#include <catch2/catch.hpp>

#include <cmath>
#include <stdexcept>

#include "nets/dead_filters.h"
#include "test_support.h"

using namespace lcz;

namespace {

constexpr double kStep = 0x1p-16;

// A layout of conv tensors (out, in, 3, 3), a bias, and a shapeless tensor.
NetLayout layout() {
  NetLayout l;
  l.format = "test";
  l.tensors.push_back({.name = "conv0", .shape = {32, 16, 3, 3}, .count = 32 * 16 * 9, .source = {}});
  l.tensors.push_back({.name = "bias0", .shape = {32}, .count = 32, .source = {}});
  l.tensors.push_back({.name = "conv1", .shape = {48, 32, 3, 3}, .count = 48 * 32 * 9, .source = {}});
  l.tensors.push_back({.name = "flat", .shape = {5000}, .count = 5000, .source = {}});
  return l;
}

struct Counts {
  size_t dead = 0, faint = 0;       // filters all zero; filters within +-2 steps, not all zero
  size_t copies = 0, small = 0;     // aligned non-zero 16-blocks equal to one at a structured lag
  size_t off_lag_repeats = 0;       // ... equal to an earlier block at another lag
};

bool equal_blocks(const std::vector<float>& v, size_t a, size_t b) {
  return std::equal(v.begin() + a, v.begin() + a + 16, v.begin() + b);
}

size_t tensor_start(const NetLayout& l, size_t at) {
  size_t start = 0;
  for (const auto& t : l.tensors) {
    if (at < start + t.count) return start;
    start += t.count;
  }
  return start;
}

// off_lag: also look for repeats at any other earlier start (quadratic: small nets only).
Counts count(const std::vector<float>& v, const NetLayout& l, const DeadFilterOptions& o, bool off_lag = true) {
  Counts c;
  for (const FilterSpan& f : filters_of(l, o.filter)) {
    const auto first = v.begin() + f.offset, last = first + f.count;
    if (std::all_of(first, last, [](float x) { return x == 0; })) ++c.dead;
    else if (std::all_of(first, last, [](float x) { return std::fabs(x) <= 2 * kStep; })) ++c.faint;
  }
  for (size_t at = 0; at + 16 <= v.size(); at += 16) {
    if (std::all_of(v.begin() + at, v.begin() + at + 16, [](float x) { return x == 0; })) continue;
    const size_t start = tensor_start(l, at);
    bool structured = false;
    for (size_t k = 1; k <= o.max_lag_units && at - start >= k * o.lag_unit; ++k)
      structured |= equal_blocks(v, at - k * o.lag_unit, at);
    if (structured) {
      ++c.copies;
      c.small += std::all_of(v.begin() + at, v.begin() + at + 16, [](float x) { return std::fabs(x) <= 2 * kStep; });
      continue;
    }
    if (off_lag)
      for (size_t from = 0; from < at; ++from) c.off_lag_repeats += equal_blocks(v, from, at);
  }
  return c;
}

}  // namespace

TEST_CASE("with_dead_filters: the shares asked for, counted on the output; deterministic", "[dead_filters]") {
  const NetLayout l = layout();
  const std::vector<float> src = test::normal_weights(l.weight_count(), 3);
  const DeadFilterOptions o{.dead_share = 0.25, .faint_share = 0.25, .short_repeat_share = 0.05, .small_share = 0.4,
                            .filter = 576, .lag_unit = 64, .max_lag_units = 8, .step = kStep, .seed = 5};
  const std::vector<float> out = with_dead_filters(src, l, o);
  REQUIRE(out.size() == src.size());
  CHECK(with_dead_filters(src, l, o) == out);
  DeadFilterOptions other = o;
  other.seed = 6;
  CHECK(with_dead_filters(src, l, other) != out);

  // 32 + 48 conv filters (the bias has no filter) and 8 whole 576-blocks of the flat tensor.
  const std::vector<FilterSpan> filters = filters_of(l, o.filter);
  REQUIRE(filters.size() == 88);
  CHECK(filters[0].count == 144);
  CHECK(filters[32].count == 288);
  CHECK(filters[32].offset == 32 * 144 + 32);
  CHECK(filters[80].count == 576);

  const Counts c = count(out, l, o);
  CHECK(c.dead == 22);   // round(0.25 * 88)
  CHECK(c.faint == 22);
  const size_t copies = static_cast<size_t>(std::llround(0.05 * static_cast<double>(src.size()) / 16));
  CHECK(c.copies == copies);
  CHECK(c.small == static_cast<size_t>(std::llround(0.4 * static_cast<double>(copies))));
  CHECK(c.off_lag_repeats == 0);  // random weights never repeat by chance: every repeat is a copy
  // Outside the dead and faint filters, only the copied blocks changed: the rest is the source net.
  std::vector<uint8_t> made(out.size(), 0);
  for (const FilterSpan& f : filters)
    if (std::all_of(out.begin() + f.offset, out.begin() + f.offset + f.count, [](float x) { return std::fabs(x) <= 2 * kStep; }))
      std::fill(made.begin() + f.offset, made.begin() + f.offset + f.count, 1);
  size_t changed = 0;
  for (size_t i = 0; i < src.size(); ++i) changed += !made[i] && out[i] != src[i];
  CHECK(changed > 0);
  CHECK(changed <= (copies - c.small) * 16);
}

TEST_CASE("with_dead_filters: dead filters are whole filters, faint values within 2 steps", "[dead_filters]") {
  const NetLayout l = layout();
  const std::vector<float> src = test::normal_weights(l.weight_count(), 4);
  const DeadFilterOptions o{.dead_share = 0.5, .faint_share = 0.3, .short_repeat_share = 0, .seed = 9};
  const std::vector<float> out = with_dead_filters(src, l, o);
  std::vector<uint8_t> in_filter(out.size(), 0);
  for (const FilterSpan& f : filters_of(l, o.filter)) {
    std::fill(in_filter.begin() + f.offset, in_filter.begin() + f.offset + f.count, 1);
    size_t zeros = 0, faint = 0;
    for (size_t i = f.offset; i < f.offset + f.count; ++i) {
      zeros += out[i] == 0;
      faint += std::fabs(out[i]) <= 2 * kStep;
    }
    INFO("filter at " << f.offset);
    CHECK((zeros == 0 || zeros == f.count));  // a filter is dead as a whole or not at all
    if (faint == f.count && zeros == 0) {     // a faint filter: the source's shape, scaled
      double largest = 0;
      for (size_t i = f.offset; i < f.offset + f.count; ++i) largest = std::max(largest, std::fabs(double{out[i]}));
      CHECK(largest == Approx(2 * kStep));
      for (size_t i = f.offset; i + 1 < f.offset + f.count; ++i)
        if (src[i] < src[i + 1]) CHECK(out[i] <= out[i + 1]);
    }
  }
  for (size_t i = 0; i < out.size(); ++i)
    if (!in_filter[i]) CHECK(out[i] == src[i]);  // biases and tails are left alone
  const Counts c = count(out, l, o);
  CHECK(c.dead == 44);
  CHECK(c.faint == 26);  // round(0.3 * 88)
  CHECK(c.copies == 0);
}

TEST_CASE("with_dead_filters: copies are exact, at k * lag_unit, inside one tensor", "[dead_filters]") {
  // One shapeless tensor then one conv: no copy may reach back across the boundary.
  NetLayout l;
  l.tensors.push_back({.name = "a", .shape = {1000}, .count = 1000, .source = {}});
  l.tensors.push_back({.name = "b", .shape = {8, 16, 3, 3}, .count = 8 * 144, .source = {}});
  const std::vector<float> src = test::normal_weights(l.weight_count(), 5);
  const DeadFilterOptions o{.dead_share = 0, .faint_share = 0, .short_repeat_share = 0.5, .small_share = 0,
                            .lag_unit = 32, .max_lag_units = 3, .seed = 2};
  const std::vector<float> out = with_dead_filters(src, l, o);
  size_t copies = 0;
  for (size_t at = 0; at + 16 <= out.size(); at += 16) {
    if (std::equal(out.begin() + at, out.begin() + at + 16, src.begin() + at)) continue;
    ++copies;
    const size_t start = at < 1000 ? 0 : 1000;
    INFO("block at " << at);
    CHECK(at + 16 <= (at < 1000 ? 1000 : out.size()));  // a block inside one tensor
    bool found = false;
    for (size_t k = 1; k <= 3 && at - start >= k * 32; ++k) found |= equal_blocks(out, at - k * 32, at);
    CHECK(found);
  }
  // round(0.5 * 2152 / 16) = 67 of the blocks that have a source in their tensor.
  CHECK(copies == 67);
}

TEST_CASE("with_dead_filters: the source net's zero stretches are never copied over", "[dead_filters]") {
  NetLayout l;
  l.tensors.push_back({.name = "a", .shape = {4096}, .count = 4096, .source = {}});
  std::vector<float> src = test::normal_weights(4096, 7);
  std::fill(src.begin() + 1024, src.begin() + 2048, 0.0f);          // a dead stretch of the source
  for (size_t i = 3008; i < 3088; ++i) src[i] *= float(kStep) / 0.25f;  // and a near-zero one (|v| < 2 steps)
  const DeadFilterOptions o{.dead_share = 0, .faint_share = 0, .short_repeat_share = 0.5, .small_share = 0, .seed = 4};
  const std::vector<float> out = with_dead_filters(src, l, o);
  CHECK(std::equal(out.begin() + 1024, out.begin() + 2048, src.begin() + 1024));
  CHECK(std::equal(out.begin() + 3008, out.begin() + 3088, src.begin() + 3008));
  CHECK(count(out, l, o).copies == 128);  // round(0.5 * 4096 / 16) of the 256 blocks
}

TEST_CASE("with_dead_filters: shares 0 are the identity; bad options are refused", "[dead_filters]") {
  const NetLayout l = layout();
  const std::vector<float> src = test::normal_weights(l.weight_count(), 6);
  CHECK(with_dead_filters(src, l, {.dead_share = 0, .faint_share = 0, .short_repeat_share = 0}) == src);
  auto refused = [&](DeadFilterOptions o) { CHECK_THROWS_AS(with_dead_filters(src, l, o), std::invalid_argument); };
  refused({.dead_share = 1.5});
  refused({.faint_share = -0.1});
  refused({.short_repeat_share = std::nan("")});
  refused({.small_share = 2});
  refused({.dead_share = 0.7, .faint_share = 0.4});
  refused({.filter = 0});
  refused({.lag_unit = 0});
  refused({.lag_unit = 24});  // not a multiple of 16
  refused({.max_lag_units = 0});
  refused({.step = 0});
  refused({.step = INFINITY});
  CHECK_THROWS_AS(with_dead_filters(std::span(src).first(100), l, {}), std::invalid_argument);  // not the layout
  // More copies than blocks with a source: all faint copies, no faint filters to hold them.
  refused({.faint_share = 0, .short_repeat_share = 0.1, .small_share = 1});
  refused({.dead_share = 0, .faint_share = 0, .short_repeat_share = 1});
}

TEST_CASE("dead-filter nets of the shared nets hold the shares asked for", "[dead_filters][datasets]") {
  // The best.json defaults on a real net: the copies find their structured sources.
  const Net net = read_net(test::dataset("maia-1900.pb.gz"));
  const DeadFilterOptions o;
  const Net made = dead_filter_net(net, o, "maia-dead");
  REQUIRE(made.tensors.size() == 1);
  const std::vector<float>& v = made.tensors[0].values;
  REQUIRE(v.size() == net.weight_count());
  CHECK(dead_filter_net(net, o, "maia-dead").tensors[0].values == v);
  const NetLayout l = layout_of(net);
  const size_t filters = filters_of(l, o.filter).size();
  const Counts c = count(v, l, o, false);
  CHECK(c.dead >= static_cast<size_t>(std::llround(o.dead_share * static_cast<double>(filters))));
  const size_t copies = static_cast<size_t>(std::llround(o.short_repeat_share * static_cast<double>(v.size()) / 16));
  CHECK(c.copies >= copies);  // the real net's own repeats (its faint value head) come on top
}
