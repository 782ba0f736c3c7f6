// REPORT.md: the Pareto set, best/fastest/seed picks and the recommendation on a hand-made
// report; report.csv and report.json read back as written.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness/report/reader.h"
#include "harness/report/summary.h"
#include "harness/report/writers.h"

using namespace lcz;
using Catch::Matchers::Contains;

namespace {

ResultRow row(const std::string& dataset, const std::string& pipeline, double ratio, double decode, bool pass = true) {
  ResultRow r;
  r.dataset = dataset;
  r.pipeline = pipeline;
  r.granularity = "net";
  r.weights = 1000;
  r.original_bytes = 4000;
  r.ratio = ratio;
  r.compressed_bytes = static_cast<uint64_t>(std::llround(4000 / ratio));
  r.bits_per_weight = 32 / ratio;
  r.decode_mb_s = decode;
  r.encode_mb_s = decode / 2;
  r.max_error_over_tol = pass ? 0.9 : 7;
  r.pass = pass;
  r.bound_bytes = 900;
  r.repeats = r.decode_repeats = 3;
  if (!pass) r.error = "verification failed: max error exceeds the tolerance";
  return r;
}

// ratio, decode MB/s: the front is {d, b, e} (b ties with f on both: both stay).
std::vector<ResultRow> hand_made() {
  return {row("n", "memcpy", 1.0, 40000),  // a ceiling, never on the front
          row("n", "a", 3.0, 100),         // dominated by b
          row("n", "b", 3.5, 300),
          row("n", "seed", 3.2, 50),       // dominated by b
          row("n", "d", 4.5, 20),
          row("n", "e", 2.0, 900),
          row("n", "f", 3.5, 300),
          row("n", "g", 9.0, 5000, false),  // failed: never counted
          row("m", "only", 2.0, 10)};
}

std::vector<std::string> names(const std::vector<ResultRow>& rows, const std::vector<size_t>& idx) {
  std::vector<std::string> out;
  for (size_t i : idx) out.push_back(rows[i].pipeline);
  return out;
}

}  // namespace

TEST_CASE("the Pareto set of ratio against decode speed", "[summary]") {
  auto rows = hand_made();
  rows.pop_back();
  CHECK(names(rows, pareto_front(rows)) == std::vector<std::string>{"e", "b", "f", "d"});
  // brute force: a row is on the front iff no passing codec row is at least as good on both and better on one
  const auto front = pareto_front(rows);
  for (size_t i = 0; i < rows.size(); ++i) {
    bool dominated = false;
    for (size_t j = 0; j < rows.size(); ++j)
      dominated |= rows[j].pass && rows[j].pipeline != "memcpy" && rows[j].ratio >= rows[i].ratio &&
                   rows[j].decode_mb_s >= rows[i].decode_mb_s &&
                   (rows[j].ratio > rows[i].ratio || rows[j].decode_mb_s > rows[i].decode_mb_s);
    const bool expected = rows[i].pass && rows[i].pipeline != "memcpy" && !dominated;
    CHECK((std::find(front.begin(), front.end(), i) != front.end()) == expected);
  }
  CHECK(pareto_front({}).empty());
}

TEST_CASE("per dataset: best ratio, fastest decode, seed, and what to ship for speed", "[summary]") {
  const auto rows = hand_made();
  const auto s = summarize(rows);
  REQUIRE(s.size() == 2);
  CHECK(s[0].dataset == "n");
  CHECK(rows[s[0].best_ratio].pipeline == "d");
  CHECK(rows[s[0].fastest_decode].pipeline == "e");
  CHECK(rows[s[0].seed].pipeline == "seed");
  CHECK(rows[s[0].memcpy_row].pipeline == "memcpy");
  // fastest decoder at least as small as the seed (ratio >= 3.2): b (f ties, b comes first)
  CHECK(rows[s[0].ship_for_speed].pipeline == "b");
  REQUIRE(s[0].failed.size() == 1);
  CHECK(rows[s[0].failed[0]].pipeline == "g");
  // without a seed: within 5 % of the best ratio
  CHECK(s[1].seed == -1);
  CHECK(rows[s[1].ship_for_speed].pipeline == "only");
}

TEST_CASE("REPORT.md holds every section and a recommendation in words", "[summary]") {
  std::ostringstream out;
  write_summary_markdown(hand_made(), nlohmann::json{{"git_sha", "abc"}, {"tolerance", 0x1p-17}, {"repeat", 3}}, out);
  const std::string md = out.str();
  CHECK_THAT(md, Contains("Commit `abc`") && Contains("Tolerance 2^-17"));
  CHECK_THAT(md, Contains("## n") && Contains("## m"));
  CHECK_THAT(md, Contains("![ratio against decode MB/s](n.png)"));
  CHECK_THAT(md, Contains("| best ratio | d | 4.500 | 7.111 | 889 |"));
  CHECK_THAT(md, Contains("| fastest decode | e | 2.000 |"));
  CHECK_THAT(md, Contains("| seed | seed | 3.200 |"));
  CHECK_THAT(md, Contains("| Pareto | f |"));
  CHECK_THAT(md, !Contains("| Pareto | a |") && !Contains("| Pareto | memcpy |") && !Contains("| Pareto | g |"));
  CHECK_THAT(md, Contains("| memcpy (ceiling) | memcpy |"));
  CHECK_THAT(md, Contains("- g: verification failed"));
  CHECK_THAT(md, Contains("For the smallest files ship `d`") && Contains("For speed ship `b`"));
  // seed 1250 bytes, d 889: saves 28.9 %
  CHECK_THAT(md, Contains("would save 28.9 % of its bytes with `d`"));
  CHECK_THAT(md, Contains("There is no `seed` row to compare with."));
}

TEST_CASE("plot file names keep safe characters only", "[summary]") {
  CHECK(plot_file_name("maia-1900.pb.gz") == "maia-1900.pb.gz.png");
  CHECK(plot_file_name("a b/c:d") == "a_b_c_d.png");
}

TEST_CASE("report.csv and report.json read back what was written", "[summary][report]") {
  Report r;
  r.run_id = "rt";
  r.provenance = {{"git_sha", "abc"}};
  r.peak_rss_bytes = 12345;
  r.rows = hand_made();
  r.rows[1].error = "a \"quoted\", multi-line\nmessage";
  r.rows[2].max_abs_error = std::nan("");
  r.rows[7].failure = ErrorKind::verify;
  r.datasets.push_back({.name = "n", .format = "f32", .files = {"x"}, .sha256 = {"00"}, .tensors = 1, .weights = 1000, .bound_bytes = 900});
  const auto dir = std::filesystem::temp_directory_path() / "lcz_test_summary";
  std::filesystem::remove_all(dir);
  write_report_files(r, dir, /*overwrite=*/false);
  const auto csv = read_report_csv(dir / "report.csv");
  const Report json = read_report_json(dir / "report.json");
  REQUIRE(csv.size() == r.rows.size());
  REQUIRE(json.rows.size() == r.rows.size());
  CHECK(json.peak_rss_bytes == 12345);
  CHECK(json.datasets.size() == 1);
  for (size_t i = 0; i < r.rows.size(); ++i) {
    for (const ResultRow* back : {&csv[i], &json.rows[i]}) {
      CHECK(back->pipeline == r.rows[i].pipeline);
      CHECK(back->compressed_bytes == r.rows[i].compressed_bytes);
      CHECK(back->pass == r.rows[i].pass);
      CHECK(back->error == r.rows[i].error);
      CHECK(back->ratio == Approx(r.rows[i].ratio).epsilon(1e-4));
    }
  }
  CHECK(std::isnan(csv[2].max_abs_error));
  CHECK(std::isnan(json.rows[2].max_abs_error));
  CHECK(json.rows[7].failure == ErrorKind::verify);
  // a broken CSV is an input error naming the file
  std::ofstream(dir / "report.csv") << "dataset,pipeline\nx,y\n";
  CHECK_THROWS_WITH(read_report_csv(dir / "report.csv"), Contains("report.csv") && Contains("no column"));
  std::filesystem::remove_all(dir);
}
