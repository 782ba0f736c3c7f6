// The seed script reproduced byte for byte (SHA-256 values from ../shared/datasets/README.md),
// every round trip verified against the tolerance, and a decoder that breaks the bound caught.
#include <catch2/catch.hpp>

#include "formats/format.h"
#include "harness/run.h"
#include "nets/sha256.h"
#include "tests/test_support.h"

using namespace lcz;

namespace {
Config seed_config() {
  return load_config(std::filesystem::path(LCZ_SOURCE_DIR) / "configs" / "seed.json", {.datasets_dir = test::datasets_dir()});
}
}  // namespace

TEST_CASE("configs/seed.json reproduces the seed's bytes and decodes within 2^-17", "[seed]") {
  Config c = seed_config();
  REQUIRE(c.pipelines.size() == 1);
  Pipeline seed(c.pipelines[0], StageContext{.tolerance = c.tolerance});
  struct Expected {
    const char* file;
    size_t bytes;
    const char* sha256;
  };
  for (const Expected& e : {
           Expected{"leela_grouped.f32", 778373, "4802b688446594a92f22738e253e5bbfcfb7a132776dcfb670d311748c0a3e7e"},
           Expected{"maia-1900.pb.gz", 1205864, "5f0a21b34ce77243da87cfb46df628afb65e3d402352d1dd324711364852abfe"},
       }) {
    INFO(e.file);
    Net net = read_net(test::dataset(e.file));
    Bytes out = seed.encode_net(net);
    CHECK(out.size() == e.bytes);
    CHECK(sha256_hex(out) == e.sha256);
    Verification v = verify(net, seed.decode_net(out, layout_of(net)));
    CHECK(v.mismatch.empty());
    CHECK(v.max_abs_error < 0x1p-17);
    CHECK(v.max_abs_error > 0);  // truncation does lose something
  }
}

TEST_CASE("the harness fails a row whose decoded weights break the tolerance", "[harness]") {
  Config c = seed_config();
  Net net = read_net(test::dataset("maia-1900.pb.gz"));
  // A pipeline built for a coarser tolerance than the one the row is verified against.
  Pipeline coarse(c.pipelines[0], StageContext{.tolerance = 0x1p-10});
  ResultRow row = run_pipeline(coarse, net, "maia-1900.pb.gz", 0x1p-17, TimingRule{.min_runs = 1, .min_seconds = 0}, 0);
  CHECK_FALSE(row.pass);
  CHECK(row.max_error_over_tol > 1);
  CHECK_THAT(row.error, Catch::Matchers::Contains("verification failed"));
}

TEST_CASE("a delta dataset round-trips within the tolerance, net and tensor granularity", "[delta]") {
  nlohmann::json j = nlohmann::json::parse(R"({
    "datasets": [{"name": "maia-delta", "base": "maia-1100.pb.gz", "target": "maia-1900.pb.gz"}],
    "repeat": 1,
    "pipelines": [
      {"name": "net", "granularity": "net", "stages": ["quantize", "zigzag", "varint", {"stage": "zstd", "level": 3}]},
      {"name": "tensor", "granularity": "tensor", "stages": ["quantize", "zigzag", "bitpack", "store"]}
    ]})");
  Config c = parse_config(j, "delta.json", {.datasets_dir = test::datasets_dir()});
  Report r = run_config(c);
  REQUIRE(r.rows.size() == 3);
  CHECK(r.rows[0].pipeline == "memcpy");  // the copy-speed ceiling comes first
  for (const auto& row : r.rows) {
    INFO(row.pipeline << ": " << row.error);
    CHECK(row.pass);
    CHECK(row.dataset == "maia-delta");
    CHECK(row.tensors == 105);
    CHECK(row.weights == 868355);
    CHECK(row.max_abs_error <= 0x1p-17);
    CHECK(row.compressed_bytes > 0);
    CHECK(row.bound_bytes > 0);
  }
  CHECK(r.datasets[0].sha256.size() == 2);
}
