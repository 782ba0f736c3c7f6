// Config validation: every class of mistake is an error naming the file and the JSON path.
#include <catch2/catch.hpp>

#include "codecs/core/error.h"
#include "formats/format.h"
#include "harness/config.h"
#include "harness/run.h"
#include "pipeline/pipeline.h"
#include "pipeline/verify.h"
#include "tests/test_support.h"

using namespace lcz;
using nlohmann::json;
using Catch::Matchers::Contains;

namespace {

json valid() {
  return json::parse(R"({
    "tolerance": "2^-17",
    "datasets": ["leela_grouped.f32"],
    "pipelines": [{"name": "p", "granularity": "tensor",
                   "stages": ["quantize", "zigzag", {"stage": "varint", "max_bytes": 3}, {"stage": "zstd", "level": 3}]}]
  })");
}

Config parse(const json& j) { return parse_config(j, "my.json", {.datasets_dir = test::datasets_dir()}); }

void expect_config_error(const json& j, const std::string& fragment) {
  INFO(j.dump());
  test::require_error(ErrorKind::config, [&] { parse(j); }, {"my.json", fragment});
}

}  // namespace

TEST_CASE("a valid config parses with defaults filled in", "[config]") {
  Config c = parse(valid());
  CHECK(c.tolerance == 0x1p-17);
  CHECK(c.repeat == 3);
  REQUIRE(c.pipelines.size() == 1);
  CHECK(c.pipelines[0].granularity == Granularity::tensor);
  REQUIRE(c.pipelines[0].stages.size() == 4);
  CHECK(c.pipelines[0].stages[0].params.string("mode") == "round");
  CHECK(c.pipelines[0].stages[2].params.integer("max_bytes") == 3);
  CHECK(c.pipelines[0].stages[3].params.integer("level") == 3);
  REQUIRE(c.datasets.size() == 1);
  CHECK(c.datasets[0].name == "leela_grouped.f32");
}

TEST_CASE("globs and delta datasets expand", "[config]") {
  json j = valid();
  j["datasets"] = json::parse(R"(["maia-*.pb.gz", {"base": "maia-1100.pb.gz", "target": "maia-1900.pb.gz"}])");
  test::dataset("maia-1100.pb.gz");
  Config c = parse(j);
  REQUIRE(c.datasets.size() == 3);
  CHECK(c.datasets[0].name == "maia-1100.pb.gz");
  CHECK(c.datasets[1].name == "maia-1900.pb.gz");
  CHECK(c.datasets[2].is_delta());
}

TEST_CASE("each class of config mistake is reported with its path", "[config]") {
  json j;
  j = valid(); j["colour"] = 1;
  expect_config_error(j, "colour: unknown key");
  j = valid(); j["pipelines"][0]["stages"][1] = "zagzig";
  expect_config_error(j, "pipelines[0].stages[1].stage: unknown stage 'zagzig'");
  j = valid(); j["pipelines"][0]["stages"][3]["levle"] = 3;
  expect_config_error(j, "pipelines[0].stages[3].levle: unknown parameter");
  j = valid(); j["pipelines"][0]["stages"][3]["level"] = "high";
  expect_config_error(j, "pipelines[0].stages[3].level: expected integer");
  j = valid(); j["pipelines"][0]["stages"][3]["level"] = 23;
  expect_config_error(j, "pipelines[0].stages[3].level: 23 is out of range 1..22");
  j = valid(); j["pipelines"][0]["stages"][0] = json{{"stage", "quantize"}, {"mode", "floor"}};
  expect_config_error(j, "pipelines[0].stages[0].mode: \"floor\" is not one of truncate, round");
  j = valid(); j["pipelines"][0]["stages"].erase(1);  // quantize (i32) straight into varint (u32)
  expect_config_error(j, "pipelines[0].stages[1]: stage 'varint' takes u32 but the stream here is i32");
  j = valid(); j["pipelines"][0]["stages"] = json::array({"quantize", "zigzag"});
  expect_config_error(j, "must end in bytes");
  j = valid(); j["pipelines"][0]["granularity"] = "layer";
  expect_config_error(j, "pipelines[0].granularity");
  j = valid(); j["pipelines"].push_back(j["pipelines"][0]);
  expect_config_error(j, "duplicate pipeline name");
  j = valid(); j["repeat"] = 0;
  expect_config_error(j, "repeat: 0 is out of range");
  j = valid(); j["tolerance"] = -1;
  expect_config_error(j, "tolerance");
  j = valid(); j["pipelines"][0]["stages"][0] = 7;
  expect_config_error(j, "pipelines[0].stages[0]: expected a stage name");
}

TEST_CASE("a missing dataset is an input error naming the file", "[config]") {
  json j = valid();
  j["datasets"] = json::array({"no-such-net.pb.gz"});
  try {
    parse(j);
    FAIL("expected an input error");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::input);
    CHECK_THAT(e.what(), Contains("datasets[0]") && Contains("no-such-net.pb.gz"));
  }
}

TEST_CASE("every shipped config loads, and each of its pipelines codes real tensors within its tolerance", "[config]") {
  // A few tensors of maia-1900 (LINEAR16 layers on coarse and fine grids) and a slice of
  // leela_grouped: enough for every stage to see real values, small enough to run them all.
  Net maia = read_net(test::dataset("maia-1900.pb.gz"));
  maia.tensors.resize(6);
  Net leela = read_net(test::dataset("leela_grouped.f32"));
  leela.tensors[0].values.resize(20000);
  leela.tensors[0].shape = {20000};
  size_t configs = 0, pipelines = 0;
  for (const auto& e : std::filesystem::directory_iterator(std::filesystem::path(LCZ_SOURCE_DIR) / "configs")) {
    if (e.path().extension() != ".json") continue;
    INFO(e.path().filename().string());
    ++configs;
    ConfigOverrides o{.datasets_dir = test::datasets_dir()};
    Config c;
    try {
      c = load_config(e.path(), o);
    } catch (const Error& err) {
      // A config of generated nets names files that `harness gen` writes first: only those may be missing.
      REQUIRE(err.kind() == ErrorKind::input);
      REQUIRE(e.path().filename() == "generated.json");
      continue;
    }
    REQUIRE(!c.datasets.empty());
    REQUIRE(!c.pipelines.empty());
    for (const auto& spec : c.pipelines) {
      INFO("pipeline " << spec.name);
      ++pipelines;
      const Pipeline p(spec, StageContext{.tolerance = c.tolerance});
      for (const Net* net : {&maia, &leela}) {
        // Pipelines without grid cannot keep an Lc0 layer on its grid; they still round-trip it.
        const Verification v = verify(*net, p.decode_net(p.encode_net(*net), layout_of(*net)));
        CHECK(v.mismatch.empty());
        CHECK(v.max_abs_error <= c.tolerance);
      }
    }
  }
  CHECK(configs >= 5);
  CHECK(pipelines >= 40);
}

TEST_CASE("a repeat net dataset: made at load time from its source, named by its share", "[config]") {
  json j = valid();
  j["datasets"] = json::array({json{{"repeats_of", "leela_grouped.f32"}, {"share", 0.3}, {"seed", 7}}});
  const Config c = parse(j);
  REQUIRE(c.datasets.size() == 1);
  CHECK(c.datasets[0].name == "leela_grouped.f32-repeats-30");
  REQUIRE(c.datasets[0].repeats);
  CHECK(c.datasets[0].repeats->block == 576);
  const Dataset d = load_dataset(c.datasets[0]);
  const Net source = read_net(test::dataset("leela_grouped.f32"));
  REQUIRE(d.net.tensors.size() == 1);
  CHECK(d.net.tensors[0].values.size() == source.weight_count());
  CHECK(d.net.tensors[0].values != source.tensors[0].values);
  CHECK(load_dataset(c.datasets[0]).net.tensors[0].values == d.net.tensors[0].values);  // same seed, same net
  j["datasets"][0]["share"] = 1.5;
  expect_config_error(j, "datasets[0].share: expected a number in 0..1");
  j["datasets"][0] = json{{"path", "leela_grouped.f32"}, {"block", 64}};
  expect_config_error(j, "datasets[0]: share, block, negate_share and seed belong to a repeat net");
}

TEST_CASE("a dead-filter net dataset: made at load time, small measured at the config's tolerance", "[config]") {
  json j = valid();
  j["datasets"] = json::array({json{{"dead_filters_of", "leela_grouped.f32"}, {"dead_share", 0.1}, {"short_repeat_share", 0.02}, {"seed", 3}}});
  const Config c = parse(j);
  REQUIRE(c.datasets.size() == 1);
  CHECK(c.datasets[0].name == "leela_grouped.f32-dead-filters-10");
  REQUIRE(c.datasets[0].dead_filters);
  CHECK(!c.datasets[0].repeats);
  CHECK(c.datasets[0].dead_filters->dead_share == 0.1);
  CHECK(c.datasets[0].dead_filters->faint_share == DeadFilterOptions{}.faint_share);
  CHECK(c.datasets[0].dead_filters->step == 2 * c.tolerance);
  CHECK(c.datasets[0].dead_filters->seed == 3);
  const Dataset d = load_dataset(c.datasets[0]);
  const Net source = read_net(test::dataset("leela_grouped.f32"));
  REQUIRE(d.net.tensors.size() == 1);
  CHECK(d.net.tensors[0].values.size() == source.weight_count());
  CHECK(d.net.tensors[0].values == with_dead_filters(source.tensors[0].values, layout_of(source), *c.datasets[0].dead_filters));
  CHECK(load_dataset(c.datasets[0]).net.tensors[0].values == d.net.tensors[0].values);  // same seed, same net

  auto bad = [&](const char* key, const json& value, const std::string& fragment) {
    json k = j;
    k["datasets"][0][key] = value;
    expect_config_error(k, fragment);
  };
  bad("dead_share", 1.5, "datasets[0].dead_share: expected a number in 0..1");
  bad("short_repeat_share", "0.1", "datasets[0].short_repeat_share: expected a number in 0..1");
  bad("small_share", -1, "datasets[0].small_share: expected a number in 0..1");
  bad("faint_share", 0.95, "datasets[0].faint_share: dead_share + faint_share is 1.05, more than 1");
  bad("lag_unit", 24, "datasets[0].lag_unit: 24 is not a multiple of 16");
  bad("lag_unit", 8, "datasets[0].lag_unit");
  bad("filter", 0, "datasets[0].filter");
  bad("share", 0.3, "a dead-filter net has dead_filters_of");
  bad("path", "leela_grouped.f32", "a dead-filter net has dead_filters_of");
  j["datasets"][0] = json{{"path", "leela_grouped.f32"}, {"dead_share", 0.1}};
  expect_config_error(j, "datasets[0]: dead_share, faint_share, short_repeat_share, small_share, filter and lag_unit belong to a dead-filter net");
  j["datasets"][0] = json{{"repeats_of", "leela_grouped.f32"}, {"short_repeat_share", 0.1}};
  expect_config_error(j, "belong to a dead-filter net");
  j["datasets"][0] = json{{"path", "leela_grouped.f32"}, {"seed", 1}};
  expect_config_error(j, "datasets[0]: seed belongs to a net made by code");

  // Shares the net cannot hold are a config error when the net is made (exit 2), naming the entry.
  j["datasets"][0] = json{{"dead_filters_of", "leela_grouped.f32"}, {"faint_share", 0}, {"short_repeat_share", 0.1}, {"small_share", 1}};
  const Config impossible = parse(j);
  test::require_error(ErrorKind::config, [&] { (void)load_dataset(impossible.datasets[0]); }, {"datasets[0]", "small copies asked"});
}

TEST_CASE("a pipeline named memcpy is refused before the run: the name is the copy-speed row's", "[config]") {
  json j = valid();
  j["pipelines"][0]["name"] = "memcpy";
  const Config c = parse(j);
  int progress_lines = 0;
  test::require_error(ErrorKind::config, [&] { (void)run_config(c, [&](const std::string&) { ++progress_lines; }); },
                      {"my.json", "'memcpy' is reserved"});
  CHECK(progress_lines == 0);  // nothing was loaded or run
}
