#include "pipeline/spec.h"

#include <charconv>
#include <cmath>
#include <string_view>

#include "codecs/core/error.h"
#include "codecs/core/registry.h"
#include "files/input_file.h"
#include "pipeline/json_check.h"

namespace lcz {
using nlohmann::json;

namespace {
constexpr uint64_t kMaxPipelineFileBytes = uint64_t{4} << 20;  // as a harness config
}

const char* granularity_name(Granularity g) { return g == Granularity::net ? "net" : "tensor"; }

PipelineSpec parse_pipeline(const json& p, const std::string& path, const std::string& where) {
  const JsonCheck check(where);
  if (!p.is_object()) check.fail(path, "expected an object with name, granularity and stages");
  check.keys(p, path, {"name", "granularity", "tensor_stages", "stages", "description"});
  PipelineSpec s;
  s.json = p;
  s.name = check.non_empty_string(check.required(p, "name", path), JsonCheck::join(path, "name"));
  if (p.contains("description") && !p["description"].is_string())
    check.fail(JsonCheck::join(path, "description"), "expected a string");
  if (p.contains("granularity")) {
    const json& g = p["granularity"];
    if (g == "net") s.granularity = Granularity::net;
    else if (g == "tensor") s.granularity = Granularity::tensor;
    else check.fail(JsonCheck::join(path, "granularity"), g.dump() + " is not one of net, tensor");
  }
  const json& stages = check.required(p, "stages", path);
  if (!stages.is_array() || stages.empty()) check.fail(JsonCheck::join(path, "stages"), "expected a non-empty array");
  StreamType flowing = StreamType::f32;
  for (size_t i = 0; i < stages.size(); ++i) {
    const std::string spath = JsonCheck::join(path, "stages[" + std::to_string(i) + "]");
    json entry = stages[i];
    if (entry.is_string()) entry = json{{"stage", entry}};
    if (!entry.is_object() || !entry.contains("stage") || !entry["stage"].is_string())
      check.fail(spath, "expected a stage name or an object with a \"stage\" key");
    const std::string stage_name = entry["stage"].get<std::string>();
    const StageDescriptor* d = find_stage(stage_name);
    if (!d) {
      std::string known;
      for (const auto& k : all_stages()) known += (known.empty() ? "" : ", ") + k.name;
      check.fail(spath + ".stage", "unknown stage '" + stage_name + "' (known: " + known + ")");
    }
    if (d->input != flowing)
      check.fail(spath, "stage '" + stage_name + "' takes " + type_name(d->input) + " but the stream here is " +
                            type_name(flowing) + (i == 0 ? " (a pipeline starts from the f32 weights)" : ""));
    entry.erase("stage");
    try {
      s.stages.push_back({d, validate_params(d->params, entry, spath), spath});
    } catch (const Error& e) {
      check.fail("", e.what());
    }
    flowing = d->output;
  }
  if (p.contains("tensor_stages")) {
    const std::string tpath = JsonCheck::join(path, "tensor_stages");
    s.tensor_stages = static_cast<size_t>(check.integer(p["tensor_stages"], tpath, 0, static_cast<int64_t>(stages.size()) - 1));
    if (s.granularity != Granularity::net && s.tensor_stages > 0)
      check.fail(tpath, "only applies with granularity net (with tensor, every stage runs per tensor)");
  }
  if (flowing != StreamType::bytes)
    check.fail(JsonCheck::join(path, "stages"), std::string("a pipeline must end in bytes; it ends in ") +
                                                   type_name(flowing) +
                                                   " (add a transform such as varint, bitpack or le_bytes, then a backend)");
  return s;
}

namespace {
constexpr double kMinTolerance = 0x1p-60, kMaxTolerance = 0x1p20;

double checked_tolerance(double t, const std::string& as_written) {
  if (!std::isfinite(t) || t < kMinTolerance || t > kMaxTolerance)
    throw_config(as_written + " is not a tolerance in [2^-60, 2^20]");
  return t;
}
}  // namespace

namespace {
bool is_space(char c) { return c == ' ' || c == '\t'; }

// "2^N" with optional blanks around each part; false when text is not of that shape. An
// exponent of more than a few digits is out of range anyway: it is reported as such, never
// converted (no stoi overflow, no regex backtracking over a long string).
bool power_of_two_text(std::string_view text, double& value) {
  size_t i = 0;
  auto skip = [&] { while (i < text.size() && is_space(text[i])) ++i; };
  skip();
  if (i >= text.size() || text[i] != '2') return false;
  ++i;
  skip();
  if (i >= text.size() || text[i] != '^') return false;
  ++i;
  skip();
  const bool negative = i < text.size() && text[i] == '-';
  if (negative || (i < text.size() && text[i] == '+')) ++i;
  const size_t digits_start = i;
  long exponent = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    if (exponent < 100000) exponent = exponent * 10 + (text[i] - '0');
    ++i;
  }
  if (i == digits_start) return false;
  skip();
  if (i != text.size()) return false;
  value = std::ldexp(1.0, static_cast<int>(negative ? -exponent : exponent));
  return true;
}
}  // namespace

double parse_tolerance_text(const std::string& text) {
  // A long string is cut in the message: it is shown to say which value, not to echo it.
  const std::string quoted = "\"" + (text.size() > 40 ? text.substr(0, 37) + "..." : text) + "\"";
  double t = 0;
  if (power_of_two_text(text, t)) return checked_tolerance(t, quoted);
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, t);
  if (ec == std::errc::result_out_of_range) throw_config(quoted + " is not a tolerance in [2^-60, 2^20]");
  if (ec != std::errc() || ptr != end) throw_config(quoted + ": expected a number or \"2^-N\"");
  return checked_tolerance(t, quoted);
}

double parse_tolerance(const json& v) {
  if (v.is_number()) return checked_tolerance(v.get<double>(), v.dump());
  if (v.is_string()) return parse_tolerance_text(v.get<std::string>());
  throw_config("expected a number or \"2^-N\", got " + v.dump());
}

std::string tolerance_text(double tolerance) {
  int e = 0;
  if (std::frexp(tolerance, &e) == 0.5) return "2^" + std::to_string(e - 1);
  char buf[32];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, tolerance);
  return std::string(buf, ec == std::errc() ? ptr : buf);
}

PipelineFile read_pipeline_file(const std::string& path) {
  // A config is small: a FIFO, device or folder is refused by what it is, a huge file by its size.
  const std::string text = read_text_file(path, kMaxPipelineFileBytes, ErrorKind::config);
  const json root = json::parse(text, nullptr, /*allow_exceptions=*/false);
  const JsonCheck check(path);
  if (root.is_discarded()) check.fail("", "not valid JSON");
  if (!root.is_object()) check.fail("", "expected a JSON object at the top level");
  PipelineFile file;
  if (root.contains("tolerance")) {
    try {
      file.tolerance = parse_tolerance(root["tolerance"]);
    } catch (const Error& e) {
      check.fail("tolerance", e.what());
    }
  }
  const json& ps = check.required(root, "pipelines", "");
  if (!ps.is_array() || ps.empty()) check.fail("pipelines", "expected a non-empty array");
  for (size_t i = 0; i < ps.size(); ++i)
    file.pipelines.push_back(parse_pipeline(ps[i], "pipelines[" + std::to_string(i) + "]", path));
  return file;
}

json resolved_json(const PipelineSpec& spec) {
  json stages = json::array();
  for (const auto& s : spec.stages) {
    json entry = s.params.json();
    entry["stage"] = s.descriptor->name;
    stages.push_back(std::move(entry));
  }
  return json{{"name", spec.name},
              {"granularity", granularity_name(spec.granularity)},
              {"tensor_stages", spec.tensor_stages},
              {"stages", std::move(stages)}};
}

}  // namespace lcz
