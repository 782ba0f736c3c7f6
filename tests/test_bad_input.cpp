// One test per class of bad input found by the careful-user pass (issue 8): each is refused
// with the right kind and a message naming the file and what is wrong, or (for valid input
// that used to be refused) read as what its name says. CLI exit codes of the same classes
// are in tests/cli_bad_input.sh.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <bit>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

#include "codecs/core/error.h"
#include "formats/format.h"
#include "formats/lc0/lc0_file.h"
#include "harness/config.h"
#include "harness/report/writers.h"
#include "nets/input_file.h"
#include "nets/net.h"
#include "pipeline/json_text.h"
#include "pipeline/pipeline.h"
#include "pipeline/spec.h"
#include "tests/test_support.h"

using namespace lcz;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;
using test::TempDir;
using test::require_error;
using test::write_bytes;

namespace {

template <class T>
std::string_view as_bytes(const std::vector<T>& v) {
  return {reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T)};
}

const std::string kPipelines =
    R"("pipelines": [{"name": "p", "stages": ["quantize", "zigzag", "varint", "store"]}])";

Config config_from(const std::string& text, const fs::path& datasets) {
  return parse_config_text(text, "bad.json", {.datasets_dir = datasets});
}

}  // namespace

TEST_CASE("deep JSON nesting is refused by depth, anywhere, without recursion", "[bad-input][json]") {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const fs::path data = test::datasets_dir();
  test::dataset("leela_grouped.f32");
  for (const std::string& text :
       {R"({"tolerance": "2^-17", "datasets": ["leela_grouped.f32"], "pipelines": [{"name": "p", "stages": ["quantize", "zigzag", {"stage": "varint", "max_bytes": )" +
            deep + R"(}, "store"]}]})",
        R"({"extra": )" + deep + "}",
        R"({"datasets": ["leela_grouped.f32"], "pipelines": [{"name": "p", "description": )" + deep +
            R"(, "stages": ["quantize", "zigzag", "varint", "store"]}]})"}) {
    require_error(ErrorKind::config, [&] { config_from(text, data); }, {"bad.json", "nested deeper than 64"});
  }
  // The path says where: the 65th level of the description.
  require_error(ErrorKind::config,
                [&] { parse_json_text(R"({"pipelines": [{"description": )" + deep + "}]}", "d.json"); },
                {"d.json: pipelines[0].description[0][0][0]", "nested deeper"});
  // 64 levels are fine.
  CHECK(parse_json_text(std::string(64, '[') + std::string(64, ']'), "ok.json").is_array());
}

TEST_CASE("a key given twice is refused, with its path", "[bad-input][json]") {
  require_error(ErrorKind::config,
                [] { parse_json_text(R"({"tolerance": "2^-17", "datasets": [], "tolerance": "2^-10"})", "dup.json"); },
                {"dup.json: tolerance: duplicate key"});
  require_error(ErrorKind::config,
                [] { parse_json_text(R"({"pipelines": [{"name": "a"}, {"name": "b", "stages": [{"stage": "zstd", "level": 3, "level": 9}]}]})", "dup.json"); },
                {"dup.json: pipelines[1].stages[0].level: duplicate key"});
  // The same key in different objects is not a duplicate.
  CHECK(parse_json_text(R"([{"a": 1}, {"a": 2}])", "ok.json").size() == 2);
}

TEST_CASE("numbers and syntax errors are config errors with a place, never a library exception", "[bad-input][json]") {
  require_error(ErrorKind::config, [] { parse_json_text("{\"a\": [1,\n 2, {\"tolerance\": 1e400}]}", "n.json"); },
                {"n.json: a[2].tolerance: number 1e400 is out of range", "line 2"});
  require_error(ErrorKind::config, [] { parse_json_text("{\"a\": [1, 2,]}", "s.json"); },
                {"s.json: not valid JSON (inside a)", "line 1, column 13"});
  require_error(ErrorKind::config, [] { parse_json_text("{} {}", "t.json"); }, {"t.json: not valid JSON"});
  require_error(ErrorKind::config, [] { parse_json_text("", "e.json"); }, {"e.json: not valid JSON"});
}

TEST_CASE("every tolerance a user can write is checked without exceptions escaping", "[bad-input][tolerance]") {
  for (const char* bad : {R"("2^-99999999999")", R"("2^2147483648")", R"("2^-999")", "1e-300", R"("2^21")", R"("1e400")",
                          R"("-2^-17")", R"("2^")", R"("2^-17x")", R"("")", "0", "-1", "true", "null", "[1]"}) {
    INFO(bad);
    require_error(ErrorKind::config, [&] { parse_tolerance(nlohmann::json::parse(bad)); }, {});
  }
  // A long string: no regex backtracking over it, and the message shows only its start.
  const std::string spaces = std::string(200000, ' ') + "2^-17";
  CHECK(parse_tolerance_text(spaces) == 0x1p-17);
  require_error(ErrorKind::config, [&] { parse_tolerance_text(std::string(200000, '9')); }, {"\"99999", "..."});
  CHECK(parse_tolerance_text(" 2 ^ -17 ") == 0x1p-17);
  CHECK(parse_tolerance_text("2^-60") == 0x1p-60);
  CHECK(parse_tolerance_text("7.62939453125e-06") == 0x1p-17);
  // In a config: exit 2 with the file and the key.
  test::dataset("leela_grouped.f32");
  require_error(ErrorKind::config,
                [] { config_from(R"({"tolerance": "2^-999", "datasets": ["leela_grouped.f32"], )" + kPipelines + "}",
                                 test::datasets_dir()); },
                {"bad.json: tolerance: \"2^-999\" is not a tolerance in [2^-60, 2^20]"});
}

TEST_CASE("a config or dataset that is not a regular file is named by what it is", "[bad-input][files]") {
  TempDir dir;
  fs::create_directories(dir / "folder.f32");
  REQUIRE(mkfifo((dir / "pipe.f32").c_str(), 0600) == 0);
  CHECK(not_a_regular_file(dir / "folder.f32") == "is a directory, not a file");
  CHECK(not_a_regular_file(dir / "pipe.f32") == "is a FIFO, not a regular file");
  CHECK(not_a_regular_file("/dev/zero") == "is a character device, not a regular file");
  CHECK(not_a_regular_file(dir / "absent") == "does not exist");
  // A config: kind config, never opened (a FIFO would block, /dev/zero never end).
  for (const fs::path& p : {dir / "folder.f32", dir / "pipe.f32", fs::path("/dev/zero")})
    require_error(ErrorKind::config, [&] { load_config(p); }, {p.string(), "not a"});
  // A dataset: kind input, at config time and when read.
  for (const std::string name : {"folder.f32", "pipe.f32"}) {
    require_error(ErrorKind::input,
                  [&] { config_from(R"({"datasets": [")" + name + R"("], )" + kPipelines + "}", dir.path); },
                  {"bad.json: datasets[0]", name, "not a"});
    require_error(ErrorKind::input, [&] { read_net(dir / name); }, {name, "not a"});
  }
  require_error(ErrorKind::input, [] { read_net("/dev/zero", "f32"); }, {"/dev/zero", "character device"});
  // A config file over the size limit is refused unread.
  write_bytes(dir / "huge.json", std::string(kMaxConfigBytes + 1, ' '));
  require_error(ErrorKind::config, [&] { load_config(dir / "huge.json"); }, {"huge.json", "more than the"});
}

TEST_CASE("two datasets of one name are refused; names with control characters too", "[bad-input][config]") {
  TempDir dir;
  fs::create_directories(dir / "a");
  fs::create_directories(dir / "b");
  const std::vector<float> w = {0.5f, -0.25f};
  write_bytes(dir / "a" / "w.f32", as_bytes(w));
  write_bytes(dir / "b" / "w.f32", as_bytes(w));
  require_error(ErrorKind::config,
                [&] { config_from(R"({"datasets": ["a/w.f32", "b/w.f32"], )" + kPipelines + "}", dir.path); },
                {"bad.json: datasets[1]: dataset name 'w.f32' is already used by datasets[0]"});
  require_error(ErrorKind::config,
                [&] { config_from(R"({"datasets": ["a/*.f32", {"path": "b/w.f32", "name": "w.f32"}], )" + kPipelines + "}", dir.path); },
                {"datasets[1]: dataset name 'w.f32' is already used by datasets[0]"});
  // Renamed, both are fine.
  CHECK(config_from(R"({"datasets": ["a/w.f32", {"path": "b/w.f32", "name": "w-b"}], )" + kPipelines + "}", dir.path)
            .datasets.size() == 2);
  require_error(ErrorKind::config,
                [&] { config_from(R"({"datasets": [{"path": "a/w.f32", "name": "two\nlines"}], )" + kPipelines + "}", dir.path); },
                {"datasets[0].name", "control character"});
  require_error(ErrorKind::config,
                [&] { config_from(R"({"datasets": ["a/w.f32"], "pipelines": [{"name": "a\tb", "stages": ["quantize", "zigzag", "varint", "store"]}]})", dir.path); },
                {"pipelines[0].name", "control character"});
}

TEST_CASE("a '|' in a name does not break the markdown table", "[bad-input][report]") {
  Report report;
  report.rows.push_back(ResultRow{.dataset = "a|b", .pipeline = "p|q", .pass = false, .error = "line one\nline | two"});
  std::ostringstream out;
  write_markdown(report, out);
  std::string header, rule, row, rest;
  std::istringstream lines(out.str());
  std::getline(lines, header);
  std::getline(lines, rule);
  std::getline(lines, row);
  CHECK_FALSE(std::getline(lines, rest));  // one row is one line
  CHECK_THAT(row, Contains("| a\\|b | p\\|q |") && Contains("line one line \\| two"));
  // Unescaped '|' separate the same number of columns as the header has.
  auto columns = [](const std::string& line) {
    size_t n = 0;
    for (size_t i = 0; i < line.size(); ++i) n += line[i] == '|' && (i == 0 || line[i - 1] != '\\');
    return n;
  };
  CHECK(columns(row) == columns(header));
}

TEST_CASE("an --out that is a file is refused before any work", "[bad-input][report]") {
  TempDir dir;
  write_bytes(dir / "results", "a file");
  require_error(ErrorKind::config, [&] { prepare_output_folder(dir / "results"); }, {"--out", "not a folder"});
  require_error(ErrorKind::config, [&] { prepare_output_folder(dir / "results" / "sub"); }, {"--out", "cannot create"});
  prepare_output_folder(dir / "new" / "folder");
  CHECK(fs::is_directory(dir / "new" / "folder"));
  CHECK(fs::is_empty(dir / "new" / "folder"));
}

TEST_CASE("gzip is inflated against a limit checked as it streams", "[bad-input][lc0]") {
  // 64 MiB of zeros in 64 KiB of gzip: a small bomb.
  const std::vector<uint8_t> zeros(size_t{64} << 20, 0);
  const std::vector<uint8_t> bomb = gzip_compress(zeros);
  REQUIRE(bomb.size() < zeros.size() / 500);
  require_error(ErrorKind::input, [&] { gunzip(bomb, "bomb.pb.gz", size_t{1} << 20); },
                {"bomb.pb.gz: gzip content inflates past 1048576 bytes"});
  // At the limit exactly it inflates, to exactly the size.
  CHECK(gunzip(bomb, "bomb.pb.gz", zeros.size()).size() == zeros.size());
  require_error(ErrorKind::input, [&] { gunzip(bomb, "bomb.pb.gz", zeros.size() - 1); }, {"inflates past"});
  // Several members count together.
  std::vector<uint8_t> two = bomb;
  two.insert(two.end(), bomb.begin(), bomb.end());
  require_error(ErrorKind::input, [&] { gunzip(two, "two.pb.gz", zeros.size() + 1); }, {"inflates past"});
}

namespace {

pblczero::Net lc0_net_with(const std::function<void(pblczero::Weights::Layer&)>& edit) {
  pblczero::Net net;
  net.set_magic(kLc0Magic);
  auto& layer = *net.mutable_weights()->mutable_ip1_val_w();
  write_lc0_layer(layer, std::vector<float>{0.5f, -0.25f, 0.125f, 0.0f}, SourceEncoding::Kind::linear16);
  edit(layer);
  return net;
}

}  // namespace

TEST_CASE("LINEAR16 ranges that are reversed or not finite are refused by name", "[bad-input][lc0]") {
  TempDir dir;
  struct Case {
    float lo, hi;
    const char* what;
  };
  const float inf = std::numeric_limits<float>::infinity();
  for (const Case& c : {Case{1.0f, -1.0f, "min_val is greater than max_val"}, Case{std::nanf(""), 1.0f, "is not finite"},
                        Case{0.0f, std::nanf(""), "is not finite"}, Case{-inf, 1.0f, "is not finite"},
                        Case{-3e38f, 3e38f, "the width overflows float32"}}) {
    INFO(c.what);
    const fs::path path = dir / "range.pb.gz";
    write_lc0_net_file(path, lc0_net_with([&](auto& layer) {
                         layer.set_min_val(c.lo);
                         layer.set_max_val(c.hi);
                       }), true);
    require_error(ErrorKind::input, [&] { read_net(path); }, {"range.pb.gz: tensor ip1_val_w: LINEAR16 range", c.what});
  }
  // min == max is a constant layer, and fine.
  const fs::path path = dir / "constant.pb.gz";
  write_lc0_net_file(path, lc0_net_with([](auto& layer) { layer.set_max_val(layer.min_val()); }), true);
  CHECK(read_net(path).weight_count() == 4);
}

TEST_CASE("a dims value above 32 bits is refused, not cut to its low bits", "[bad-input][lc0]") {
  TempDir dir;
  const fs::path path = dir / "dims.pb";
  // 2^32 + 4: read as uint32 it would be 4, which matches the 4 elements.
  write_lc0_net_file(path, lc0_net_with([](auto& layer) { layer.add_dims((uint64_t{1} << 32) + 4); }), false);
  require_error(ErrorKind::input, [&] { read_net(path); }, {"dims.pb: tensor ip1_val_w: dims value 4294967300"});
  write_lc0_net_file(path, lc0_net_with([](auto& layer) { layer.add_dims(4); }), false);
  CHECK(read_net(path).tensors[0].shape == std::vector<uint32_t>{4});
}

TEST_CASE("the extension decides the reader; content only confirms", "[bad-input][nets]") {
  TempDir dir;
  // A first weight of 1.00424 (bits 3f808b1f) is stored 1f 8b 80 3f: it starts like gzip.
  const std::vector<float> gzip_like = {std::bit_cast<float>(0x3f808b1fu), 0.5f, -0.25f};
  REQUIRE(static_cast<uint8_t>(as_bytes(gzip_like)[0]) == 0x1f);
  REQUIRE(static_cast<uint8_t>(as_bytes(gzip_like)[1]) == 0x8b);
  write_bytes(dir / "w.f32", as_bytes(gzip_like));
  CHECK(read_net(dir / "w.f32").tensors[0].values == gzip_like);
  // And one that starts like an Lc0 protobuf (0d c0 01 00 00).
  std::vector<float> lc0_like = {0.0f, 0.5f};
  std::memcpy(lc0_like.data(), "\x0d\xc0\x01\x00", 4);
  std::memcpy(reinterpret_cast<char*>(lc0_like.data()) + 4, "\x00\x00\x00\x3f", 4);
  write_bytes(dir / "w.bin", as_bytes(lc0_like));
  CHECK(read_net(dir / "w.bin").format == "f32");
  // A name that says nothing: content decides.
  write_bytes(dir / "w.weights", as_bytes(gzip_like));
  require_error(ErrorKind::input, [&] { read_net(dir / "w.weights"); }, {"w.weights", "gzip"});
  // A .npy without the magic is an npy error, not raw floats.
  write_bytes(dir / "w.npy", as_bytes(gzip_like));
  require_error(ErrorKind::input, [&] { read_net(dir / "w.npy"); }, {"w.npy", "not an npy file"});
}

TEST_CASE("an empty tensor is refused by every reader alike", "[bad-input][nets]") {
  TempDir dir;
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (0,), }";
  header.append(64 - (10 + header.size() + 1) % 64, ' ').push_back('\n');
  const std::string npy = std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(header.size()) + '\0' + header;
  write_bytes(dir / "empty.npy", npy);
  require_error(ErrorKind::input, [&] { read_net(dir / "empty.npy"); }, {"empty.npy", "no weights"});
  write_bytes(dir / "empty.f32", "");
  require_error(ErrorKind::input, [&] { read_net(dir / "empty.f32"); }, {"empty.f32", "empty"});
}

TEST_CASE("a delta of two raw float32 files pairs them by shape, not by file name", "[bad-input][nets]") {
  TempDir dir;
  write_bytes(dir / "v1.f32", as_bytes(std::vector<float>{1.0f, 2.0f}));
  write_bytes(dir / "v2.f32", as_bytes(std::vector<float>{1.5f, 1.0f}));
  const Net d = delta_net(read_net(dir / "v1.f32"), read_net(dir / "v2.f32"));
  REQUIRE(d.tensors.size() == 1);
  CHECK(d.tensors[0].values == std::vector<float>{0.5f, -1.0f});
  write_bytes(dir / "v3.f32", as_bytes(std::vector<float>{1.0f}));
  require_error(ErrorKind::input, [&] { delta_net(read_net(dir / "v1.f32"), read_net(dir / "v3.f32")); }, {"shape [1] vs [2]"});
}

TEST_CASE("an Lc0 net of more tensors than any real one is refused by count", "[bad-input][lc0]") {
  TempDir dir;
  pblczero::Net net;
  net.set_magic(kLc0Magic);
  for (size_t i = 0; i <= kMaxLc0Tensors; ++i)
    write_lc0_layer(*net.mutable_weights()->add_residual()->mutable_conv1()->mutable_weights(), std::vector<float>{0.25f},
                    SourceEncoding::Kind::linear16);
  write_lc0_net_file(dir / "many.pb.gz", net, true);
  REQUIRE(fs::file_size(dir / "many.pb.gz") < 10000);  // a few KB: the cost is not in the size
  require_error(ErrorKind::input, [&] { read_net(dir / "many.pb.gz"); }, {"many.pb.gz: more than 32768 weight tensors"});
  net.mutable_weights()->mutable_residual()->RemoveLast();
  write_lc0_net_file(dir / "at-limit.pb.gz", net, true);
  CHECK(read_net(dir / "at-limit.pb.gz").tensors.size() == kMaxLc0Tensors);
}

TEST_CASE("an encoder's refusal names the tensor and the weight, not only the integer", "[bad-input][pipeline]") {
  Net net;
  net.tensors = {Tensor{"first", {1}, {0.5f}, {}}, Tensor{"second", {2}, {0.25f, 9.53125f}, {}}};
  // The seed: truncation at 2^-17, zigzag, varints of at most 3 bytes: |w| must stay below 8.
  for (const char* granularity : {"net", "tensor"}) {
    INFO(granularity);
    const PipelineSpec spec = parse_pipeline(
        nlohmann::json::parse(std::string(R"({"name": "seed", "granularity": ")") + granularity +
                              R"(", "stages": [{"stage": "quantize", "mode": "truncate"}, "zigzag", {"stage": "varint", "max_bytes": 3}, "bzip2"]})"),
        "pipelines[0]", "test");
    const Pipeline pipeline(spec, StageContext{});
    require_error(ErrorKind::codec, [&] { pipeline.encode_net(net); },
                  {"pipeline 'seed': tensor second, weight 1 (9.53125): stage 'varint'", "3 bytes hold values below 2^21"});
  }
  // With per-tensor first stages too.
  const PipelineSpec split = parse_pipeline(
      nlohmann::json::parse(R"({"name": "s", "tensor_stages": 2, "stages": ["quantize", "zigzag", {"stage": "bitpack", "bits": 12}, "store"]})"),
      "pipelines[0]", "test");
  require_error(ErrorKind::codec, [&] { Pipeline(split, StageContext{}).encode_net(net); },
                {"tensor first, weight 0 (0.5): stage 'bitpack'", "needs 17 bits"});
}
