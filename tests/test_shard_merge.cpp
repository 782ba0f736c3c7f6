// Sharding: the slices of a run are disjoint and together hold every job; shards merged give
// the rows of one unsharded run; merge refuses reports that do not belong together.
#include <catch2/catch.hpp>

#include <set>

#include "codecs/core/error.h"
#include "harness/merge.h"
#include "harness/run.h"
#include "harness/shard.h"
#include "tests/test_support.h"

using namespace lcz;
using nlohmann::json;
using Catch::Matchers::Contains;

TEST_CASE("shard i/n parses and rejects what is not a slice", "[shard]") {
  CHECK(parse_shard("0/1").whole());
  CHECK(parse_shard("3/4").index == 3);
  CHECK(parse_shard("3/4").count == 4);
  for (const char* bad : {"4/4", "1", "a/2", "1/0", "-1/2", "1/2x", "/2", "1/", "0/100001"}) {
    INFO(bad);
    CHECK_THROWS_AS(parse_shard(bad), Error);
  }
}

TEST_CASE("the shards of a run are disjoint and together hold every job", "[shard]") {
  for (size_t datasets : {1, 3, 4})
    for (size_t pipelines : {1, 5, 96})
      for (size_t n : {1, 2, 3, 7, 500}) {
        std::multiset<size_t> seen;
        for (size_t i = 0; i < n; ++i)
          for (const Job& j : shard_jobs(datasets, pipelines, {i, n})) {
            seen.insert(j.number);
            CHECK(j.number % n == i);
            CHECK(j.dataset * (pipelines + 1) + j.column == j.number);
            CHECK(j.column <= pipelines);
          }
        REQUIRE(seen.size() == job_count(datasets, pipelines));
        for (size_t k = 0; k < job_count(datasets, pipelines); ++k) CHECK(seen.count(k) == 1);
      }
}

namespace {

Config small_config() {
  json j = json::parse(R"({"datasets": ["leela_grouped.f32", "maia-1900.pb.gz"], "repeat": 1, "min_seconds": 0,
    "pipelines": [{"name": "zstd-{level}", "stages": ["quantize", "zigzag", "varint", {"stage": "zstd", "level": [1, 2]}]},
                  {"name": "tensor", "granularity": "tensor", "stages": ["quantize", "zigzag", "bitpack", "store"]}]})");
  return parse_config(j, "small.json", {.datasets_dir = test::datasets_dir()});
}

}  // namespace

TEST_CASE("two shards merged give the rows of one unsharded run", "[shard][merge]") {
  const Config c = small_config();
  const Report whole = run_config(c);
  REQUIRE(whole.rows.size() == 2 * 4);  // 2 datasets x (memcpy + 3 pipelines)
  std::vector<MergeInput> parts;
  for (size_t i = 0; i < 2; ++i) parts.push_back({"shard" + std::to_string(i), run_config(c, {}, {i, 2})});
  CHECK(parts[0].report.rows.size() == 4);
  MergeResult m = merge_reports({parts[1], parts[0]}, "merged");  // any order
  CHECK(m.missing.empty());
  CHECK(m.duplicated.empty());
  REQUIRE(m.report.rows.size() == whole.rows.size());
  for (size_t k = 0; k < whole.rows.size(); ++k) {
    const ResultRow& a = whole.rows[k];
    const ResultRow& b = m.report.rows[k];
    CHECK(a.dataset == b.dataset);
    CHECK(a.pipeline == b.pipeline);
    CHECK(a.compressed_bytes == b.compressed_bytes);
    CHECK(a.output_sha256 == b.output_sha256);
    CHECK(a.pass == b.pass);
  }
  CHECK(m.report.datasets.size() == 2);
  CHECK_FALSE(m.report.provenance.contains("shard"));
  CHECK(m.report.provenance["merged_from"].size() == 2);

  SECTION("a missing shard is reported, a repeated one too") {
    MergeResult half = merge_reports({parts[0]}, "half");
    CHECK(half.missing.size() == 4);
    CHECK(half.duplicated.empty());
    MergeResult twice = merge_reports({parts[0], parts[0], parts[1]}, "twice");
    CHECK(twice.missing.empty());
    CHECK(twice.duplicated.size() == 4);
  }
  SECTION("reports of another config, tolerance or commit are refused") {
    auto refused = [&](MergeInput other, const std::string& what, const char* names = "shard0") {
      try {
        merge_reports({parts[0], other}, "x");
        FAIL("merge accepted a report with other " << what);
      } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::input);
        CHECK_THAT(e.what(), Contains(what) && Contains(names));
      }
    };
    MergeInput other = parts[1];
    other.report.provenance["config_fingerprint"] = "0000";
    refused(other, "configs");
    other = parts[1];
    other.report.provenance["tolerance"] = 0x1p-16;
    refused(other, "tolerances");
    other = parts[1];
    other.report.provenance["git_sha"] = "feedface";
    refused(other, "commits");
    other = parts[1];
    other.report.datasets[0].sha256 = {"not the same file"};
    refused(other, "other contents");
    other = parts[1];
    other.report.rows[0].pipeline = "not-in-the-plan";
    refused(other, "not in the report's plan", "shard1");
  }
  SECTION("a config that differs only in a stage parameter has another fingerprint") {
    Config changed = c;
    changed.pipelines[2] = c.pipelines[1];
    changed.pipelines[2].name = c.pipelines[2].name;
    MergeInput other{"changed", run_config(changed, {}, {1, 2})};
    CHECK_THROWS_WITH(merge_reports({parts[0], other}, "x"), Contains("configs"));
  }
}
