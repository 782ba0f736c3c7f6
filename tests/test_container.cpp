// The .lcz container and lczip's compress/decompress: real nets come back within the
// tolerance as the user loads them (an Lc0 net as a released lc0 decodes its LINEAR16 layers),
// the rebuilt Lc0 file keeps every non-weight field, the bytes do not depend on the thread
// count, every corrupted or truncated file is refused, and a base is needed exactly when used.
#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include <unistd.h>

#include "files/atomic_file.h"
#include "formats/format.h"
#include "container/container.h"
#include "formats/lc0/linear16.h"
#include "container/lcz_codec.h"
#include "container/output_file.h"
#include "formats/f32/f32_file.h"
#include "formats/format.h"
#include "formats/lc0/lc0_file.h"
#include "formats/lc0/skeleton.h"
#include "formats/npy/npy_file.h"
#include "pipeline/presets.h"
#include "pipeline/verify.h"
#include "tests/container_forgery.h"
#include "tests/test_support.h"

using namespace lcz;
namespace fs = std::filesystem;

namespace {

constexpr double kTol = 0x1p-17;

SourceNet source(const std::string& name) {
  const auto path = test::dataset(name);
  return read_source_net(read_file_bytes(path), path.string());
}

CompressOptions options(const std::string& preset, unsigned threads = 1, uint64_t chunk_weights = kDefaultChunkWeights) {
  CompressOptions o;
  o.pipeline = preset_pipeline(preset);
  o.threads = threads;
  o.chunk_weights = chunk_weights;
  return o;
}

// The net as a user loads the file decompress writes: the file is read back by the net reader
// (for Lc0, LINEAR16 decoded with Lc0's release formula).
Net reread_output(const DecompressResult& d, const std::string& name) {
  const Bytes file = output_file_bytes(d);
  return read_net_bytes(file, name);
}

template <class F>
ErrorKind error_kind_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.kind();
  }
  FAIL("no lcz::Error was thrown");
  return ErrorKind::config;
}

}  // namespace

TEST_CASE("lczip round trip of maia-1900: every layer LINEAR16, within tol as lc0 decodes, fields kept", "[container]") {
  const SourceNet original = source("maia-1900.pb.gz");
  for (const std::string preset : {"strong", "fast"}) {
    SECTION(preset) {
      const CompressResult c = compress(original, options(preset));
      CHECK(c.as_loaded.max_abs_error <= kTol);
      const DecompressResult d = decompress(c.file, "m.lcz", nullptr, 1);
      const Bytes written = output_file_bytes(d);
      REQUIRE(is_gzip(written));
      const pblczero::Net message = parse_lc0_net(written, "m.pb.gz");
      // Every layer that holds weights is LINEAR16 (explicitly or by the net's default).
      const std::vector<Tensor> tensors = lc0_tensors(message, "m.pb.gz");
      REQUIRE(tensors.size() == original.net.tensors.size());
      for (const auto& t : tensors) REQUIRE(t.source.kind == SourceEncoding::Kind::linear16);
      // The values as lc0 decodes them are within the tolerance of the original.
      Net loaded{.source = "m.pb.gz", .format = "lc0", .tensors = tensors};
      const Verification v = verify(original.net, loaded);
      CHECK(v.mismatch.empty());
      CHECK(v.max_abs_error <= kTol);
      // ... and are what as_loaded() says, bit for bit.
      const Net predicted = as_loaded(d);
      for (size_t i = 0; i < tensors.size(); ++i)
        REQUIRE(std::equal(tensors[i].values.begin(), tensors[i].values.end(), predicted.tensors[i].values.begin(),
                           [](float a, float b) { return std::bit_cast<uint32_t>(a) == std::bit_cast<uint32_t>(b); }));
      // Everything but the weights is the original's.
      CHECK(lc0_skeleton(message) == original.skeleton);
    }
  }
}

TEST_CASE("lczip round trip of leela_grouped.f32 and of an .npy: same format back, within tol", "[container]") {
  const SourceNet leela = source("leela_grouped.f32");
  const CompressResult c = compress(leela, options("strong"));
  const DecompressResult d = decompress(c.file, "l.lcz", nullptr, 2);
  CHECK(d.header.source_format == SourceFormat::f32);
  const Net back = reread_output(d, "l.f32");
  const Verification v = verify(leela.net, Net{.source = "", .format = "f32", .tensors = {{leela.net.tensors[0].name,
                                                                                            back.tensors[0].shape,
                                                                                            back.tensors[0].values, {}}}});
  CHECK(v.mismatch.empty());
  CHECK(v.max_abs_error <= kTol);

  // An .npy of a 2-d tensor: the shape survives.
  Net npy = leela.net;
  npy.tensors[0].values.resize(1000 * 720);
  npy.tensors[0].shape = {1000, 720};
  const Bytes npy_bytes = npy_file_bytes(npy);
  const SourceNet npy_source = read_source_net(npy_bytes, "w.npy");
  REQUIRE(npy_source.format == SourceFormat::npy);
  const DecompressResult dn = decompress(compress(npy_source, options("fast")).file, "w.lcz", nullptr, 1);
  const Net npy_back = reread_output(dn, "w.npy");
  CHECK(npy_back.tensors[0].shape == std::vector<uint32_t>{1000, 720});
  CHECK(verify(npy_source.net, npy_back).max_abs_error <= kTol);
}

TEST_CASE("lczip output does not depend on the thread count; chunks decode in parallel", "[container]") {
  const SourceNet maia = source("maia-1100.pb.gz");
  for (const std::string preset : {"strong", "fast"}) {
    INFO(preset);
    const Bytes one = compress(maia, options(preset, 1, 100000)).file;
    const Bytes two = compress(maia, options(preset, 2, 100000)).file;
    const Bytes four = compress(maia, options(preset, 4, 100000)).file;
    CHECK(one == two);
    CHECK(one == four);
    const ContainerHeader h = read_container_header(one, "m.lcz");
    CHECK(h.chunks.size() > 4);
    const Net a = decompress(one, "m.lcz", nullptr, 1).net;
    const Net b = decompress(one, "m.lcz", nullptr, 3).net;
    REQUIRE(a.tensors.size() == b.tensors.size());
    for (size_t i = 0; i < a.tensors.size(); ++i) CHECK(a.tensors[i].values == b.tensors[i].values);
  }
}

TEST_CASE("chunks are balanced: ceil(W / chunk_weights) of them, none a small remainder", "[container]") {
  // A raw .f32 is cut anywhere: chunk sizes differ by at most one weight.
  const SourceNet leela = source("leela_grouped.f32");
  const uint64_t w = leela.net.weight_count();
  for (const uint64_t cw : {uint64_t{100000}, uint64_t{1} << 19, w - 1, w, w + 1}) {
    INFO("chunk_weights " << cw);
    const ContainerHeader h = read_container_header(compress(leela, options("fast", 2, cw)).file, "l.lcz");
    REQUIRE(h.chunks.size() == (w + cw - 1) / cw);
    uint64_t lo = w, hi = 0, sum = 0;
    for (const auto& c : h.chunks) lo = std::min(lo, c.weight_count), hi = std::max(hi, c.weight_count), sum += c.weight_count;
    CHECK(sum == w);
    CHECK(hi - lo <= 1);
  }
  // Lc0 layers stay whole: each chunk ends after the layer that reaches its share, so every
  // chunk but the last holds at least W / n weights, and there are at most n of them.
  const SourceNet maia = source("maia-1900.pb.gz");
  const uint64_t mw = maia.net.weight_count();
  for (const uint64_t cw : {uint64_t{100000}, uint64_t{1} << 19}) {
    INFO("chunk_weights " << cw);
    const uint64_t n = (mw + cw - 1) / cw;
    const ContainerHeader h = read_container_header(compress(maia, options("fast", 2, cw)).file, "m.lcz");
    REQUIRE(h.chunks.size() >= 2);
    CHECK(h.chunks.size() <= n);
    uint64_t at = 0;
    for (size_t k = 0; k + 1 < h.chunks.size(); ++k) {
      at += h.chunks[k].weight_count;
      CHECK(at >= mw * (k + 1) / n);
    }
  }
}

TEST_CASE("every corrupted or truncated container is refused with an lcz::Error", "[container]") {
  const SourceNet maia = source("maia-1900.pb.gz");
  const Bytes good = compress(maia, options("fast", 2, 200000)).file;
  std::mt19937 rng(2026);
  int refused = 0;
  for (int i = 0; i < 250; ++i) {
    Bytes bad = good;
    const int kind = i % 5;
    if (kind == 0) {
      bad.resize(rng() % good.size());  // truncated anywhere
    } else if (kind == 1) {
      bad[rng() % bad.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));  // one bit
    } else if (kind == 2) {
      const size_t at = rng() % bad.size();
      bad[at] = static_cast<uint8_t>(bad[at] + 1 + rng() % 255);  // one byte
    } else if (kind == 3) {
      bad.insert(bad.begin() + rng() % bad.size(), static_cast<uint8_t>(rng()));  // a byte inserted
    } else {
      bad[rng() % 64] ^= 0x40;  // in the preamble or header
    }
    INFO("variant " << i << " (kind " << kind << ", " << bad.size() << " bytes)");
    const ErrorKind k = error_kind_of([&] { (void)decompress(bad, "bad.lcz", nullptr, 2); });
    CHECK((k == ErrorKind::input || k == ErrorKind::codec));
    ++refused;
  }
  CHECK(refused == 250);
}

TEST_CASE("a container that contradicts itself is refused, checksums consistent or not", "[container]") {
  // An Lc0 net: output ranges doubled or shifted half a step, LINEAR16 layers to be written as
  // FLOAT16 or FLOAT32, chunks swapped with their checksums; every header checksum recomputed.
  const SourceNet maia = source("maia-1900.pb.gz");
  const Bytes good = compress(maia, options("fast", 2, 200000)).file;
  const auto forged = test::forgeries(good);
  std::set<std::string> names;
  for (const auto& f : forged) {
    INFO(f.name);
    names.insert(f.name);
    const ErrorKind k = error_kind_of([&] { (void)decompress(f.file, f.name, nullptr, 2); });
    CHECK(k == ErrorKind::input);
  }
  CHECK(names == std::set<std::string>{"range_doubled", "range_shifted_half_step", "kind_float16", "kind_float32",
                                       "chunks_swapped"});
  // A raw .f32 of two chunks of the same size: swapped, entries and payloads, each payload's
  // checksum binds its place (format 1.1) ...
  F32 values(4000);
  std::mt19937 rng(14);
  std::normal_distribution<float> normal(0, 0.05f);
  for (auto& v : values) v = normal(rng);
  const SourceNet raw = read_source_net(
      std::span(reinterpret_cast<const uint8_t*>(values.data()), values.size() * sizeof(float)), "small.f32");
  const Bytes two = compress(raw, options("fast", 1, 2000)).file;
  REQUIRE(read_container_header(two, "two.lcz").chunks.size() == 2);
  const auto swapped = test::forgeries(two);
  REQUIRE(swapped.size() == 1);
  CHECK(error_kind_of([&] { (void)decompress(swapped[0].file, "swapped.lcz", nullptr, 1); }) == ErrorKind::input);
  // ... which a 1.0 file could not: the same swap there decodes to the halves swapped.
  ContainerHeader old = read_container_header(two, "two.lcz");
  old.minor = 0;
  const Bytes old_file = write_container(old, test::payloads_of(two, read_container_header(two, "two.lcz")));
  const DecompressResult old_read = decompress(old_file, "old.lcz", nullptr, 1);  // 1.0 files still read
  CHECK(old_read.header.minor == 0);
  CHECK(old_read.net.tensors.at(0).values == decompress(two, "two.lcz", nullptr, 1).net.tensors.at(0).values);
  const auto old_swapped = test::forgeries(old_file);
  const DecompressResult halves = decompress(old_swapped.at(0).file, "old-swapped.lcz", nullptr, 1);
  CHECK(std::equal(values.begin(), values.begin() + 2000, halves.net.tensors[0].values.begin() + 2000,
                   [](float a, float b) { return std::fabs(double(a) - b) <= kTol; }));
}

TEST_CASE("compress checks the bound under every LINEAR16 decoder lc0 uses; verify names the worst's decoder",
          "[container]") {
  const SourceNet maia = source("maia-1900.pb.gz");
  const CompressResult r = compress(maia, options("fast", 2));
  CHECK(r.as_loaded.max_abs_error <= kTol);
  const DecompressResult d = decompress(r.file, "m.lcz", nullptr, 2);
  const Verification v = verify_as_loaded(maia, d);
  CHECK(v.within(kTol));
  CHECK_FALSE(v.worst_decoder.empty());
  // Independently of Lc0Readings: each layer read from the written file's LINEAR16 codes by
  // each decoder, against the source file's codes read the same way.
  const pblczero::Net original = parse_lc0_net(read_file_bytes(test::dataset("maia-1900.pb.gz")), "original");
  const Bytes written_bytes = output_file_bytes(d);
  const pblczero::Net written = parse_lc0_net(written_bytes, "written");
  std::vector<std::pair<const pblczero::Weights::Layer*, const pblczero::Weights::Layer*>> pairs;
  // input.weights and the first residual block's conv1 weights: big layers of both paths.
  pairs.push_back({&original.weights().input().weights(), &written.weights().input().weights()});
  pairs.push_back({&original.weights().residual(0).conv1().weights(), &written.weights().residual(0).conv1().weights()});
  pairs.push_back({&original.weights().residual(3).se().w1(), &written.weights().residual(3).se().w1()});
  for (const auto& [a, b] : pairs) {
    REQUIRE(a->params().size() == b->params().size());
    auto code = [](const pblczero::Weights::Layer* l, size_t i) {
      return int32_t{uint8_t(l->params()[2 * i])} | int32_t{uint8_t(l->params()[2 * i + 1])} << 8;
    };
    double worst = 0;
    for (Linear16Decoder dec : kLc0Linear16Decoders)
      for (size_t i = 0; i < a->params().size() / 2; ++i)
        worst = std::max(worst, std::fabs(double(linear16_decode(dec, code(b, i), b->min_val(), b->max_val())) -
                                          linear16_decode(dec, code(a, i), a->min_val(), a->max_val())));
    CHECK(worst <= kTol);
  }
}

TEST_CASE("the container refuses a newer major version and names both versions", "[container]") {
  Bytes file = compress(source("maia-1900.pb.gz"), options("fast")).file;
  file[8] = static_cast<uint8_t>(kContainerMajor + 1);
  try {
    (void)read_container_header(file, "new.lcz");
    FAIL("a newer major version was accepted");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::input);
    CHECK_THAT(e.what(), Catch::Contains("version " + std::to_string(kContainerMajor + 1) + "." + std::to_string(kContainerMinor)) &&
                             Catch::Contains("(" + std::to_string(kContainerMajor) + "."));
  }
}

TEST_CASE("a stored pipeline that decodes differently is an error, not wrong values", "[container]") {
  const SourceNet leela = source("leela_grouped.f32");
  CompressOptions o;
  o.pipeline = parse_pipeline(nlohmann::json::parse(R"({"name": "p", "stages": [{"stage": "quantize", "mode": "round"},
      "zigzag", {"stage": "le_bytes", "width": 4}, {"stage": "byte_shuffle", "width": 4}, {"stage": "zstd", "level": 3}]})"),
                              "", "test");
  const Bytes file = compress(leela, o).file;
  ContainerHeader h = read_container_header(file, "x.lcz");
  std::vector<Bytes> payloads;
  for (size_t c = 0; c < h.chunks.size(); ++c) {
    auto p = chunk_payload(file, h, c, "x.lcz");
    payloads.emplace_back(p.begin(), p.end());
  }
  // The same payload read with another shuffle width (or another quantizer mode) decodes to
  // other values: the recorded checksum of the values refuses it.
  for (auto edit : {+[](nlohmann::json& j) { j["stages"][3]["width"] = 2; },
                    +[](nlohmann::json& j) { j["stages"][0]["mode"] = "truncate"; }}) {
    ContainerHeader edited = h;
    edit(edited.pipeline);
    const Bytes changed = write_container(edited, payloads);
    CHECK(error_kind_of([&] { (void)decompress(changed, "x.lcz", nullptr, 1); }) == ErrorKind::codec);
  }
  // A parameter the stage does not have is refused before decoding.
  ContainerHeader unknown = h;
  unknown.pipeline["stages"][2]["colour"] = 1;
  CHECK(error_kind_of([&] { (void)decompress(write_container(unknown, payloads), "x.lcz", nullptr, 1); }) ==
        ErrorKind::input);
}

TEST_CASE("coding against a base: smaller when the nets are close, exact, and needs that base", "[container][base]") {
  const SourceNet base = source("leela_grouped.f32");
  // A "next" net: every other weight moved by a little.
  SourceNet target = base;
  target.name = "next.f32";
  target.net.tensors[0].name = "next";
  std::mt19937 rng(5);
  std::normal_distribution<float> nudge(0.0f, 0x1p-13f);
  for (size_t i = 0; i < target.net.tensors[0].values.size(); i += 2) target.net.tensors[0].values[i] += nudge(rng);
  const Bytes base_file = f32_file_bytes(base.net);
  const BaseNet b = read_base_net(base_file, "base.f32");

  for (const std::string preset : {"strong", "fast"}) {
    INFO(preset);
    const CompressResult alone = compress(target, options(preset));
    CompressOptions with = options(preset);
    with.base = &b;
    const CompressResult against = compress(target, with);
    CHECK(against.chunks_against_base > 0);
    CHECK(against.file.size() < alone.file.size() * 3 / 4);
    // The decoded values are exactly those without a base.
    const Net x = decompress(alone.file, "a.lcz", nullptr, 1).net;
    const Net y = decompress(against.file, "b.lcz", &b, 1).net;
    CHECK(x.tensors[0].values == y.tensors[0].values);
    // Without the base, or with another one: refused.
    CHECK(error_kind_of([&] { (void)decompress(against.file, "b.lcz", nullptr, 1); }) == ErrorKind::config);
    Bytes other_file = base_file;
    other_file[100] ^= 1;
    const BaseNet other = read_base_net(other_file, "other.f32");
    CHECK(error_kind_of([&] { (void)decompress(against.file, "b.lcz", &other, 1); }) == ErrorKind::input);
  }
}

TEST_CASE("a base never costs more than no base (separate trainings: maia-1900 against maia-1100)", "[container][base]") {
  const SourceNet target = source("maia-1900.pb.gz");
  const auto base_path = test::dataset("maia-1100.pb.gz");
  const BaseNet b = read_base_net(read_file_bytes(base_path), base_path.string());
  CompressOptions with = options("strong");
  with.base = &b;
  const size_t alone = compress(target, options("strong")).file.size();
  const size_t against = compress(target, with).file.size();
  CHECK(against <= alone + 40);  // the base's SHA-256 and a flag
}

TEST_CASE("AtomicFile: an existing file is kept unless asked, a failed write leaves nothing", "[container]") {
  const fs::path dir = fs::temp_directory_path() / ("lcz-atomic-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path target = dir / "out.bin";
  {
    AtomicFile f(target, false);
    f.commit(Bytes{1, 2, 3});
  }
  CHECK(read_file_bytes(target) == Bytes{1, 2, 3});
  CHECK(error_kind_of([&] { AtomicFile f(target, false); }) == ErrorKind::config);
  {
    AtomicFile f(target, true);
    (void)f;  // abandoned before commit: the old file stays
  }
  CHECK(read_file_bytes(target) == Bytes{1, 2, 3});
  {
    AtomicFile f(target, true);
    f.commit(Bytes{4});
  }
  CHECK(read_file_bytes(target) == Bytes{4});
  {
    AtomicFile f(dir / "new.bin", false);  // abandoned before commit
  }
  CHECK_FALSE(fs::exists(dir / "new.bin"));
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir)) files += e.is_regular_file();
  CHECK(files == 1);  // no temporary file left behind
  CHECK(error_kind_of([&] { AtomicFile f(dir / "no" / "such" / "dir.bin", false); }) == ErrorKind::input);
  fs::remove_all(dir);
}
