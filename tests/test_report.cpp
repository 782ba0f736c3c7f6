// The report writers: the CSV starts with the fixed columns, NaN is never written as a
// number, JSON carries provenance and every row.
#include <catch2/catch.hpp>

#include <filesystem>

#include <cmath>
#include <sstream>

#include "harness/run.h"
#include "harness/report/provenance.h"
#include "harness/report/writers.h"
#include "tests/test_support.h"

using namespace lcz;

namespace {
Report sample_report() {
  Report r;
  r.run_id = "test";
  ResultRow ok{.dataset = "a,b", .pipeline = "p", .granularity = "net", .tensors = 1, .weights = 4, .original_bytes = 16,
               .compressed_bytes = 8, .ratio = 2, .bits_per_weight = 16, .pass = true};
  ResultRow bad = ok;
  bad.pipeline = "broken";
  bad.max_abs_error = std::nan("");
  bad.max_error_over_tol = std::nan("");
  bad.pass = false;
  bad.error = "verification failed: decoded weights contain NaN";
  r.rows = {ok, bad};
  return r;
}
}  // namespace

TEST_CASE("report.csv starts with the fixed columns and quotes what needs it", "[report]") {
  std::ostringstream out;
  write_csv(sample_report(), out);
  std::istringstream lines(out.str());
  std::string header, first, second;
  std::getline(lines, header);
  std::getline(lines, first);
  std::getline(lines, second);
  CHECK(header.rfind("dataset,pipeline,tensors,weights,original_bytes,compressed_bytes,ratio,bits_per_weight,"
                     "encode_mb_s,decode_mb_s,max_abs_error,max_error_over_tol,pass,bound_bytes,", 0) == 0);
  CHECK(first.rfind("\"a,b\",p,1,4,16,8,2.0000,16.0000,", 0) == 0);
  CHECK_THAT(second, Catch::Matchers::Contains(",nan,nan,false,"));
}

TEST_CASE("report.json holds provenance and writes NaN as null", "[report]") {
  Report r = sample_report();
  nlohmann::json cfg = nlohmann::json::parse(R"({"datasets": ["leela_grouped.f32"],
      "pipelines": [{"name": "p", "stages": ["quantize", "zigzag", "varint", "bzip2"]}]})");
  r.provenance = provenance(parse_config(cfg, "c.json", {.datasets_dir = test::datasets_dir()}));
  std::ostringstream out;
  write_json(r, out);
  auto j = nlohmann::json::parse(out.str());
  for (const char* key : {"git_sha", "compiler", "cxx_flags", "cpu", "date_utc", "libraries", "config", "tolerance"})
    CHECK(j["provenance"].contains(key));
  CHECK(j["provenance"]["libraries"]["bzip2"].get<std::string>().rfind("libbz2", 0) == 0);
  // Built from a git checkout (CI clones the repository), the commit is known: 40 hex digits,
  // not "unknown".
  if (std::filesystem::exists(std::filesystem::path(LCZ_SOURCE_DIR) / ".git")) {
    const std::string sha = j["provenance"]["git_sha"].get<std::string>();
    CHECK(sha.size() == 40);
    CHECK(sha.find_first_not_of("0123456789abcdef") == std::string::npos);
  }
  REQUIRE(j["rows"].size() == 2);
  CHECK(j["rows"][1]["max_abs_error"].is_null());
  CHECK(j["rows"][1]["pass"] == false);
}

TEST_CASE("verify reports NaN and structural mismatches instead of passing them", "[report]") {
  Net a;
  a.tensors.push_back({.name = "t", .shape = {3}, .values = {0.0f, 1.0f, 2.0f}});
  Net b = a;
  b.tensors[0].values[1] = std::nanf("");
  CHECK(std::isnan(verify(a, b).max_abs_error));
  Net c = a;
  c.tensors[0].shape = {1, 3};
  CHECK_FALSE(verify(a, c).mismatch.empty());
  Net d = a;
  d.tensors[0].values[2] += 0.5f;
  CHECK(verify(a, d).max_abs_error == 0.5);
}
