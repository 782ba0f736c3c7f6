// Issue 15: files, signals and limits. One test per class the careless-or-hostile-user pass
// found that is testable without a process boundary (signals, closed standard streams and
// exit codes are in tests/cli_bad_input.sh): outputs never replace what is not a regular file
// and leave nothing when abandoned, inputs are refused by what they are, report rows are
// believed only where they agree with themselves, integers are parsed strictly, names are
// printed escaped, a 0-d .npy keeps its shape, messages say which and why.
#include <catch2/catch.hpp>

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include <csignal>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include "cli/arguments.h"
#include "codecs/quantize/rounding.h"
#include "container/lcz_codec.h"
#include "container/output_file.h"
#include "files/atomic_file.h"
#include "files/input_file.h"
#include "files/printable.h"
#include "harness/report/reader.h"
#include "harness/report/row_check.h"
#include "harness/report/writers.h"
#include "formats/npy/npy_file.h"
#include "pipeline/presets.h"
#include "pipeline/spec.h"
#include "pipeline/verify.h"
#include "tests/test_support.h"

using namespace lcz;
namespace fs = std::filesystem;
using test::require_error;
using test::TempDir;
using test::write_bytes;

namespace {

std::vector<std::string> entries(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::span<const uint8_t> bytes_of(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

std::string contents(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("an output never replaces a FIFO, socket, device or folder, even when asked to", "[files][safety]") {
  TempDir dir;
  REQUIRE(::mkfifo((dir / "fifo").c_str(), 0600) == 0);
  fs::create_directory(dir / "folder");
  const int sock = ::socket(AF_UNIX, SOCK_STREAM, 0);
  REQUIRE(sock >= 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string sock_path = (dir / "sock").string();
  REQUIRE(sock_path.size() < sizeof addr.sun_path);
  std::memcpy(addr.sun_path, sock_path.c_str(), sock_path.size() + 1);
  REQUIRE(::bind(sock, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  std::vector<std::pair<std::string, std::string>> nodes = {{"fifo", "a FIFO"}, {"folder", "a directory"}, {"sock", "a socket"}};
  // A character device of our own (never /dev/null: the code this replaces would delete it).
  if (::geteuid() == 0 && ::mknod((dir / "null").c_str(), S_IFCHR | 0666, makedev(1, 3)) == 0)
    nodes.push_back({"null", "a character device"});
  else
    WARN("not root: the character-device case is left out");
  for (const auto& [name, what] : nodes) {
    INFO(name);
    const auto before = fs::symlink_status(dir / name).type();
    for (bool force : {false, true})
      require_error(ErrorKind::config, [&] { AtomicFile f(dir / name, force); }, {name, "is " + what, "never replaced"});
    CHECK(fs::symlink_status(dir / name).type() == before);
  }
  // A symbolic link to a FIFO is judged by what it points to.
  fs::create_symlink(dir / "fifo", dir / "link");
  require_error(ErrorKind::config, [&] { AtomicFile f(dir / "link", true); }, {"is a FIFO"});
  ::close(sock);
}

TEST_CASE("an output appears whole or not at all, beside no fixed temporary name", "[files][safety]") {
  TempDir dir;
  const fs::path target = dir / "out.bin";
  write_bytes(dir / "out.bin.tmp", "the user's own file");  // gen once wrote through this name
  {
    AtomicFile f(target, false);
    f.write(bytes_of("half"));
    CHECK(entries(dir.path) == std::vector<std::string>{"out.bin.tmp"});  // nothing visible while written
  }  // abandoned
  CHECK(entries(dir.path) == std::vector<std::string>{"out.bin.tmp"});
  // Two writers of one new target: the first to finish wins, the second is refused and its
  // bytes are dropped (two `gen` runs once both "succeeded" with one seed's file).
  {
    AtomicFile a(target, false), b(target, false);
    a.write(bytes_of("first"));
    b.write(bytes_of("second"));
    a.commit();
    require_error(ErrorKind::config, [&] { b.commit(); }, {"appeared while writing", "kept"});
  }
  CHECK(contents(target) == "first");
  CHECK(contents(dir / "out.bin.tmp") == "the user's own file");
  CHECK(entries(dir.path) == std::vector<std::string>{"out.bin", "out.bin.tmp"});
  {
    AtomicFile f(target, true);
    f.commit(bytes_of("replaced"));
  }
  CHECK(contents(target) == "replaced");
  CHECK(entries(dir.path) == std::vector<std::string>{"out.bin", "out.bin.tmp"});
  require_error(ErrorKind::config, [&] { AtomicFile f("", true); }, {"empty output file name"});
}

TEST_CASE("a write that fails says why and leaves nothing", "[files][safety]") {
  TempDir dir;
  // A file size limit stands in for a full disk: the write fails with EFBIG.
  rlimit old{};
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &old) == 0);
  auto* previous = std::signal(SIGXFSZ, SIG_IGN);
  rlimit small = old;
  small.rlim_cur = 4096;
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
  std::string message;
  try {
    AtomicFile f(dir / "big.bin", false);
    f.write(std::vector<uint8_t>(100000, 7));
    f.commit();
  } catch (const Error& e) {
    message = e.what();
    CHECK(e.kind() == ErrorKind::input);
  }
  ::setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, previous);
  CHECK_THAT(message, Catch::Matchers::Contains("big.bin: cannot write: File too large"));
  CHECK(entries(dir.path).empty());
  // The report writer: neither file, and not the run folder it made.
  Report r;
  r.run_id = "x";
  r.rows.resize(2000);  // a report.json of far more than 4 KB
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
  previous = std::signal(SIGXFSZ, SIG_IGN);
  bool threw = false;
  try {
    write_report_files(r, dir / "run", false);
  } catch (const Error& e) {
    threw = true;
    CHECK_THAT(e.what(), Catch::Matchers::Contains("File too large"));
  }
  ::setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, previous);
  CHECK(threw);
  CHECK(entries(dir.path).empty());
}

TEST_CASE("inputs that are not regular files are refused by what they are, before any read", "[files][safety]") {
  TempDir dir;
  REQUIRE(::mkfifo((dir / "fifo").c_str(), 0600) == 0);  // no writer: a read would block forever
  fs::create_directory(dir / "folder");
  fs::create_symlink("/dev/zero", dir / "zero");
  for (const auto& [name, what] : std::vector<std::pair<std::string, std::string>>{
           {"fifo", "is a FIFO"}, {"folder", "is a directory"}, {"zero", "is a character device"}}) {
    INFO(name);
    require_error(ErrorKind::input, [&] { read_regular_file(dir / name, 1 << 20, ErrorKind::input); }, {name, what});
    require_error(ErrorKind::config, [&] { read_pipeline_file((dir / name).string()); }, {name, what});  // lczip --config
    fs::create_directories(dir / ("run-" + name));
    fs::create_symlink(dir / name, dir / ("run-" + name) / "report.csv");
    fs::create_symlink(dir / name, dir / ("run-" + name) / "report.json");
    require_error(ErrorKind::input, [&] { read_report_csv(dir / ("run-" + name) / "report.csv"); }, {"report.csv", what});
    require_error(ErrorKind::input, [&] { read_report_json(dir / ("run-" + name) / "report.json"); }, {"report.json", what});
  }
  write_bytes(dir / "big", std::string(5000, 'x'));
  require_error(ErrorKind::input, [&] { read_regular_file(dir / "big", 4096, ErrorKind::input); },
                {"5000 bytes, more than the 4096 bytes"});
  require_error(ErrorKind::input, [&] { read_regular_file(dir / "absent", 4096, ErrorKind::input); }, {"does not exist"});
}

TEST_CASE("names are printed with control characters escaped", "[files][safety]") {
  CHECK(printable("plain name.f32") == "plain name.f32");
  CHECK(printable("a\x1b[31mred\nfake line") == "a\\x1b[31mred\\nfake line");
  CHECK(printable(std::string("t\tab\r\x7f\0z", 8)) == "t\\tab\\r\\x7f\\x00z");
  CHECK(printable("caf\xc3\xa9") == "caf\xc3\xa9");  // UTF-8 kept
}

namespace {

// A report as the harness writes it: a memcpy row, two passing rows, a failed one.
Report sample_report() {
  Report r;
  r.run_id = "sample";
  r.provenance = {{"tolerance", 0x1p-17}};
  r.datasets.push_back({.name = "d", .format = "f32", .files = {"d.f32"}, .sha256 = {"00"}, .tensors = 1, .weights = 20000,
                        .bound_bytes = 1000});
  auto row = [](const std::string& pipeline, uint64_t bytes, double max_err, double enc_s, double dec_s) {
    ResultRow x;
    x.dataset = "d";
    x.pipeline = pipeline;
    x.granularity = "net";
    x.tensors = 1;
    x.weights = 20000;
    x.original_bytes = 80000;
    x.compressed_bytes = bytes;
    x.ratio = 80000.0 / bytes;
    x.bits_per_weight = 8.0 * bytes / 20000;
    x.max_abs_error = max_err;
    x.max_error_over_tol = max_err / 0x1p-17;
    x.pass = max_err <= 0x1p-17;
    x.repeats = x.decode_repeats = 3;
    x.encode_seconds = x.encode_seconds_min = enc_s;
    x.decode_seconds = x.decode_seconds_min = dec_s;
    x.encode_mb_s = 80000 / 1e6 / enc_s;
    x.decode_mb_s = 80000 / 1e6 / dec_s;
    return x;
  };
  r.rows.push_back(row("memcpy", 80000, 0, 0.0000021, 0.0000018));
  r.rows.push_back(row("p", 39964, 0x1p-17, 0.000252, 0.000158));
  r.rows.push_back(row("q", 39213, 0.99 * 0x1p-17, 0.014771, 0.000180));
  ResultRow failed = row("r", 41000, 1.5 * 0x1p-17, 0, 0);
  failed.encode_mb_s = failed.decode_mb_s = 0;
  failed.failure = ErrorKind::verify;
  failed.error = "verification failed: max error exceeds the tolerance";
  r.rows.push_back(failed);
  return r;
}

}  // namespace

TEST_CASE("report rows are believed only where they agree with themselves", "[files][safety][report]") {
  TempDir dir;
  const Report genuine = sample_report();
  write_report_files(genuine, dir / "run", false);
  const std::vector<ResultRow> csv = read_report_csv(dir / "run" / "report.csv");
  const Report json = read_report_json(dir / "run" / "report.json");
  // Printed with report.csv's digits, the genuine rows hold: with and without the tolerance.
  CHECK_NOTHROW(check_report_rows(csv, {}, std::nullopt, "report.csv"));
  CHECK_NOTHROW(check_report_rows(csv, json.datasets, 0x1p-17, "report.csv"));
  CHECK_NOTHROW(check_report_rows(json.rows, json.datasets, 0x1p-17, "report.json"));

  auto refused = [&](const std::function<void(std::vector<ResultRow>&)>& edit, std::initializer_list<std::string> why,
                     std::optional<double> tol) {
    std::vector<ResultRow> rows = csv;
    edit(rows);
    require_error(ErrorKind::input, [&] { check_report_rows(rows, json.datasets, tol, "report.csv"); }, why);
  };
  for (const std::optional<double> tol : {std::optional<double>(0x1p-17), std::optional<double>()}) {
    INFO("tolerance " << (tol ? "known" : "implied by the rows"));
    // Edited to pass at 5x the tolerance, the ratio (and bits) left as they were.
    refused([](auto& rows) { rows[3].pass = true, rows[3].error.clear(), rows[3].max_error_over_tol = 5; },
            {"d x r", "max_error_over_tol"}, tol);
    // ...or where it failed, at 1.5x, every number left true.
    refused([](auto& rows) { rows[3].pass = true, rows[3].error.clear(), rows[3].failure.reset(); },
            {"row d x r", "passes with max_abs_error", "1.5 x the tolerance"}, tol);
    // ...or with max_abs_error raised to 7x and max_error_over_tol left at 1.
    refused([](auto& rows) { rows[1].max_abs_error *= 7; }, {"max_error_over_tol"}, tol);
    // A ratio of 999 for 1 byte; a ratio of inf.
    refused([](auto& rows) { rows[2].compressed_bytes = 1, rows[2].ratio = 999; }, {"row d x q", "ratio 999"}, tol);
    refused([](auto& rows) { rows[2].ratio = INFINITY; }, {"row d x q", "ratio inf"}, tol);
    // Weights that differ from the dataset's (the row consistent in itself).
    refused([](auto& rows) { rows[1].weights = 20001, rows[1].original_bytes = 80004, rows[1].bits_per_weight = 8.0 * 39964 / 20001, rows[1].ratio = 80004.0 / 39964, rows[1].encode_mb_s = 0.080004 / 0.000252, rows[1].decode_mb_s = 0.080004 / 0.000158; },
            {"row d x p", "20001 weights", "20000"}, tol);
    // A decode speed no timing gave.
    refused([](auto& rows) { rows[2].decode_mb_s = 1e6; }, {"row d x q", "decode_mb_s"}, tol);
    // A pass with an error; a failure without one.
    refused([](auto& rows) { rows[1].error = "codec error: x"; }, {"passes with an error"}, tol);
    refused([](auto& rows) { rows[3].error.clear(); }, {"fails without an error"}, tol);
  }
  // Without a report.json, rows of one dataset must still agree on its weights.
  std::vector<ResultRow> rows = csv;
  rows[2].weights = 40000, rows[2].original_bytes = 160000, rows[2].ratio = 160000.0 / 39213,
  rows[2].bits_per_weight = 8.0 * 39213 / 40000, rows[2].encode_mb_s = 0.16 / 0.014771, rows[2].decode_mb_s = 0.16 / 0.00018;
  require_error(ErrorKind::input, [&] { check_report_rows(rows, {}, std::nullopt, "report.csv"); },
                {"row d x q", "40000 weights", "of the same dataset has 1 and 20000"});
}

TEST_CASE("command-line integers are parsed strictly and empty values refused", "[files][safety][cli]") {
  auto parses = [](const std::vector<std::string>& args) {
    CLI::App app;
    uint64_t n = 7;
    std::string s = "default";
    app.add_option("--n", n)->check(cli::whole_number(0, uint64_t{1} << 40));
    app.add_option("--s", s)->check(cli::not_empty());
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    try {
      app.parse(reversed);
    } catch (const CLI::ParseError&) {
      return false;
    }
    return true;
  };
  CHECK(parses({"--n", "4096"}));
  CHECK(parses({"--n", "0"}));
  for (const char* bad : {"-1", "18446744073709551616", "18446744073709551615", "1e3", "0x10", "+5", " 5", "", "5k"}) {
    INFO("--n '" << bad << "'");
    CHECK_FALSE(parses({"--n", bad}));
  }
  CHECK(parses({"--s", "x"}));
  CHECK_FALSE(parses({"--s", ""}));
}

TEST_CASE("a 0-d .npy comes back with shape ()", "[files][safety][npy]") {
  TempDir dir;
  Net net{"scalar.npy", "npy", {Tensor{"scalar", {}, {0.3125f}, {}}}};
  const std::vector<uint8_t> npy = npy_file_bytes(net);
  const std::string text(npy.begin(), npy.end());
  CHECK_THAT(text, Catch::Matchers::Contains("'shape': ()"));
  const SourceNet source = read_source_net(npy, "scalar.npy");
  CHECK(source.net.tensors.at(0).shape.empty());
  CompressOptions options;
  options.pipeline = preset_pipeline("fast");
  const CompressResult c = compress(source, options);
  DecompressResult d = decompress(c.file, "scalar.lcz", nullptr, 1);
  CHECK(d.net.tensors.at(0).shape.empty());
  std::vector<uint8_t> written;
  write_output_file(std::move(d), [&](std::span<const uint8_t> b) { written.insert(written.end(), b.begin(), b.end()); });
  REQUIRE(written.size() == npy.size());  // the same header, shape () included; then one value
  CHECK(std::equal(npy.begin(), npy.end() - 4, written.begin()));
}

TEST_CASE("verify says which of name, size and shape differ, with both values", "[files][safety]") {
  Net a{"a", "f32", {Tensor{"w", {720065}, std::vector<float>(720065), {}}}};
  Net b{"b", "f32", {Tensor{"w", {720064}, std::vector<float>(720064), {}}}};
  const Verification v = verify(b, a);
  CHECK_THAT(v.mismatch, Catch::Matchers::Contains("720064 vs 720065 weights"));
  CHECK_THAT(v.mismatch, Catch::Matchers::Contains("shape (720064,) vs (720065,)"));
}

TEST_CASE("a container that relabels a net of many tensors as one raw tensor is an input error", "[files][safety]") {
  SourceNet source;
  source.format = SourceFormat::npy;  // an .npy is one tensor: this header lies
  source.name = "two.npy";
  source.net = Net{"two.npy", "npy", {Tensor{"a", {3}, {0.5f, 0.25f, 1}, {}}, Tensor{"b", {2}, {1, 2}, {}}}};
  CompressOptions options;
  options.pipeline = preset_pipeline("fast");
  // compress reads its own header back before handing the file out: the lie is caught there.
  require_error(ErrorKind::input, [&] { decompress(compress(source, options).file, "two.lcz", nullptr, 1); },
                {"npy", "one tensor", "lists 2"});
}

TEST_CASE("a refused step is printed so a person can read it (2^-N, not 0.000000)", "[files][safety]") {
  const std::vector<float> in = {1.0f};
  std::vector<int32_t> out(1);
  require_error(ErrorKind::codec, [&] { quantize_to_step(in, 0x1p-59, true, 0x1p-60, "grid", out.data()); },
                {"value 1 at index 0", "at step 2^-59"});
}
