// Parameter grids in configs: lists expand to the cross product with names from the values;
// mistakes are config errors with the JSON path; --filter keeps pipelines by name.
#include <catch2/catch.hpp>

#include <set>

#include "codecs/core/error.h"
#include "harness/config.h"
#include "harness/grid_expand.h"
#include "tests/test_support.h"

using namespace lcz;
using nlohmann::json;
using Catch::Matchers::Contains;

namespace {

Config parse(const json& pipelines) {
  json j = {{"datasets", {"leela_grouped.f32"}}, {"pipelines", pipelines}};
  return parse_config(j, "grid.json", {.datasets_dir = test::datasets_dir()});
}

std::vector<std::string> names(const Config& c) {
  std::vector<std::string> out;
  for (const auto& p : c.pipelines) out.push_back(p.name);
  return out;
}

void expect_config_error(const json& pipelines, const std::string& fragment) {
  test::require_error(ErrorKind::config, [&] { parse(pipelines); }, {"grid.json", fragment});
}

}  // namespace

TEST_CASE("a list of values expands to one pipeline per value, named by the template", "[grid]") {
  Config c = parse(json::parse(R"([{"name": "zstd-{level}",
      "stages": ["quantize", "zigzag", "varint", {"stage": "zstd", "level": [1, 3, 9, 19]}]}])"));
  CHECK(names(c) == std::vector<std::string>{"zstd-1", "zstd-3", "zstd-9", "zstd-19"});
  for (size_t i = 0; i < 4; ++i) CHECK(c.pipelines[i].stages[3].params.integer("level") == std::vector{1, 3, 9, 19}[i]);
}

TEST_CASE("two lists give the cross product; unnamed ones become suffixes", "[grid]") {
  Config c = parse(json::parse(R"([{"name": "q",
      "stages": [{"stage": "quantize", "mode": ["truncate", "round"]}, "zigzag", "varint",
                 {"stage": "xz", "preset": [1, 6, 9], "extreme": [false, true]}]},
      {"name": "plain", "stages": ["quantize", "zigzag", "varint", "store"]}])"));
  REQUIRE(c.pipelines.size() == 2 * 3 * 2 + 1);
  const auto all = names(c);
  std::set<std::string> unique(all.begin(), all.end());
  CHECK(unique.size() == c.pipelines.size());
  CHECK(unique.count("q-mode=truncate-extreme=false-preset=1"));
  CHECK(unique.count("q-mode=round-extreme=true-preset=9"));
  CHECK(c.pipelines.back().name == "plain");
  // every combination appears exactly once
  std::set<std::tuple<std::string, int64_t, bool>> combos;
  for (size_t i = 0; i + 1 < c.pipelines.size(); ++i)
    combos.insert({c.pipelines[i].stages[0].params.string("mode"), c.pipelines[i].stages[3].params.integer("preset"),
                   c.pipelines[i].stages[3].params.boolean("extreme")});
  CHECK(combos.size() == 12);
}

TEST_CASE("a qualified placeholder names a parameter two stages share", "[grid]") {
  json p = json::parse(R"([{"name": "b{bzip2.level}-z{zstd.level}",
      "stages": ["quantize", "zigzag", "varint", {"stage": "bzip2", "level": [1, 9]}, {"stage": "zstd", "level": [2, 3]}]}])");
  // two backends in a row are legal (bytes -> bytes); the names must come out distinct
  Config c = parse(p);
  CHECK(names(c) == std::vector<std::string>{"b1-z2", "b1-z3", "b9-z2", "b9-z3"});
  p[0]["name"] = "x-{level}";
  expect_config_error(p, "pipelines[0].name: {level} is ambiguous");
}

TEST_CASE("grid mistakes are config errors with the JSON path", "[grid]") {
  expect_config_error(json::parse(R"([{"name": "a", "stages": ["quantize", "zigzag", "varint", {"stage": "zstd", "level": []}]}])"),
                      "pipelines[0].stages[3].level: an empty list");
  expect_config_error(json::parse(R"([{"name": "a", "stages": ["quantize", "zigzag", "varint", {"stage": "zstd", "level": [[1]]}]}])"),
                      "pipelines[0].stages[3].level: a parameter grid holds");
  expect_config_error(json::parse(R"([{"name": "a-{preset}", "stages": ["quantize", "zigzag", "varint", {"stage": "zstd", "level": [1, 2]}]}])"),
                      "{preset} names no stage parameter");
  // each expanded value is validated like a scalar
  expect_config_error(json::parse(R"([{"name": "a", "stages": ["quantize", "zigzag", "varint", {"stage": "zstd", "level": [3, 23]}]}])"),
                      "pipelines[0].stages[3].level: 23 is out of range");
  // a template that drops a value's name collides
  expect_config_error(json::parse(R"([{"name": "a-{level}", "stages": ["quantize", "zigzag", "varint", {"stage": "zstd", "level": [3, 3]}]}])"),
                      "duplicate pipeline name 'a-3'");
  json big = json::parse(R"([{"name": "a", "stages": ["quantize", "zigzag", "varint", {"stage": "zstd", "level": []}]}])");
  big[0]["stages"][3]["level"] = json::array();
  for (int i = 0; i < 101; ++i) big[0]["stages"][3]["level"].push_back(1 + i % 22);
  big[0]["stages"][3]["long"] = json::array();
  for (int i = 0; i < 101; ++i) big[0]["stages"][3]["long"].push_back(i % 2 == 0);
  expect_config_error(big, "more than 10000 pipelines");
}

TEST_CASE("the --filter regex keeps the pipelines whose name matches", "[grid]") {
  Config c = parse(json::parse(R"([{"name": "zstd-{level}",
      "stages": ["quantize", "zigzag", "varint", {"stage": "zstd", "level": [1, 3, 19]}]},
      {"name": "seed", "stages": [{"stage": "quantize", "mode": "truncate"}, "zigzag", "varint", "bzip2"]}])"));
  auto p = c.pipelines;
  keep_matching(p, "zstd-(1|19)$", "grid.json");
  REQUIRE(p.size() == 2);
  CHECK(std::vector<std::string>{p[0].name, p[1].name} == std::vector<std::string>{"zstd-1", "zstd-19"});
  p = c.pipelines;
  CHECK_THROWS_WITH(keep_matching(p, "nothing", "grid.json"), Contains("matches no pipeline"));
  CHECK_THROWS_WITH(keep_matching(p, "(", "grid.json"), Contains("not a valid regular expression"));
}
