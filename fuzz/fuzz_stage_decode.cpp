// Every registered stage's decoder, driven by the registry. Input: one header line
// "<stage>[ <JSON object of parameters>]\n", then the payload the decoder gets: raw bytes
// for a stage that outputs bytes, else little-endian 4-byte elements (a trailing partial
// element is dropped). Seeds hold valid encodings of every stage (fuzz/make_seeds.cpp); a
// stage added to codecs/stages.cpp is fuzzed from then on. Decoders may accept or throw
// lcz::Error(codec); parameters the registry refuses end the input early (kind config).
// Two more forms reach the decoders of coding given a base (issue 17):
//   "<stage>@context[ params]\n": u32le L, L context bytes, then the payload: the coder's
//     decode_in_context (cm, rans);
//   "<stage>@base[ params]\n": u32le S, S bytes of side record, u32le B, B float32 base values,
//     then the payload: the quantizer's base_context and decode_against (quantize, grid).
#include <algorithm>
#include <cstring>
#include <string_view>

#include <nlohmann/json.hpp>

#include "codecs/core/registry.h"
#include "fuzz/fuzz_target.h"

namespace {

// Decoders refuse to produce more than this. Small, so that a header claiming many values
// costs little: cm models every value it decodes, and time per input is what bounds the
// executions a fuzz run gets through.
constexpr uint64_t kMaxDecodedBytes = uint64_t{1} << 16;

template <class T>
std::vector<T> elements(std::span<const uint8_t> bytes) {
  std::vector<T> v(bytes.size() / 4);
  if (!v.empty()) std::memcpy(v.data(), bytes.data(), v.size() * 4);
  return v;
}

// The next u32le-counted field of `rest` (at most what is left), consumed.
std::span<const uint8_t> take(std::span<const uint8_t>& rest, size_t unit) {
  if (rest.size() < 4) return rest = {}, std::span<const uint8_t>();
  uint32_t n;
  std::memcpy(&n, rest.data(), 4);
  rest = rest.subspan(4);
  const size_t bytes = std::min<size_t>(static_cast<size_t>(n) * unit, rest.size() / unit * unit);
  const auto field = rest.first(bytes);
  rest = rest.subspan(bytes);
  return field;
}

lcz::Stream payload_stream(lcz::StreamType type, std::span<const uint8_t> bytes) {
  switch (type) {
    case lcz::StreamType::f32: return elements<float>(bytes);
    case lcz::StreamType::i32: return elements<int32_t>(bytes);
    case lcz::StreamType::u32: return elements<uint32_t>(bytes);
    case lcz::StreamType::bytes: break;
  }
  return lcz::Bytes(bytes.begin(), bytes.end());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t eol = input.find('\n');
  if (eol == std::string_view::npos || eol > 512) return 0;
  const std::string_view header = input.substr(0, eol);
  const size_t space = header.find(' ');
  std::string name(header.substr(0, space));
  enum class Form { plain, context, base } form = Form::plain;
  if (const size_t at = name.find('@'); at != std::string::npos) {
    const std::string suffix = name.substr(at + 1);
    if (suffix == "context") form = Form::context;
    else if (suffix == "base") form = Form::base;
    else return 0;
    name.resize(at);
  }
  const lcz::StageDescriptor* d = lcz::find_stage(name);
  if (!d) return 0;
  nlohmann::json params = nlohmann::json::object();
  if (space != std::string_view::npos) {
    params = nlohmann::json::parse(header.substr(space + 1), nullptr, /*allow_exceptions=*/false);
    if (!params.is_object()) return 0;
  }
  std::unique_ptr<lcz::Stage> stage;
  try {
    stage = d->make(lcz::validate_params(d->params, params, d->name),
                    lcz::StageContext{.tolerance = 0x1p-17, .max_decoded_bytes = kMaxDecodedBytes});
  } catch (const lcz::Error& e) {
    if (e.kind() != lcz::ErrorKind::config) std::abort();
    return 0;
  }
  std::span<const uint8_t> rest(data + eol + 1, size - eol - 1);
  if (form == Form::context) {
    if (!stage->takes_context()) return 0;
    const auto context = take(rest, 1);
    const lcz::Stream in = payload_stream(d->output, rest);
    lcz::fuzz::expect_only(lcz::ErrorKind::codec, [&] { (void)stage->decode_in_context(in, context); });
    return 0;
  }
  if (form == Form::base) {
    if (!stage->codes_against_base()) return 0;
    const auto side = take(rest, 1);
    const std::vector<float> base = elements<float>(take(rest, 4));
    const lcz::Stream in = payload_stream(d->output, rest);
    std::vector<uint8_t> context(base.size());
    lcz::fuzz::expect_only(lcz::ErrorKind::codec, [&] { stage->base_context(lcz::BaseTensor(base), side, context.data()); });
    lcz::fuzz::expect_only(lcz::ErrorKind::codec, [&] { (void)stage->decode_against(in, lcz::BaseTensor(base), side); });
    return 0;
  }
  const lcz::Stream in = payload_stream(d->output, rest);
  lcz::fuzz::expect_only(lcz::ErrorKind::codec, [&] { (void)stage->decode(in); });
  return 0;
}
