#include "harness/pipeline/config.h"

#include <fnmatch.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>

#include "codecs/core/error.h"
#include "codecs/core/registry.h"

namespace lcz {
namespace fs = std::filesystem;
using nlohmann::json;

const char* granularity_name(Granularity g) { return g == Granularity::net ? "net" : "tensor"; }

namespace {

class ConfigReader {
 public:
  ConfigReader(const fs::path& file, const ConfigOverrides& overrides) : file_(file), overrides_(overrides) {}

  Config read(const json& root) {
    Config c;
    c.file = file_;
    c.json = root;
    if (!root.is_object()) fail("", "expected a JSON object at the top level");
    check_keys(root, "", {"description", "tolerance", "datasets_dir", "datasets", "repeat", "pipelines"});
    if (root.contains("tolerance")) c.tolerance = tolerance(root["tolerance"]);
    if (root.contains("repeat")) c.repeat = integer(root["repeat"], "repeat", 1, 1000);
    if (overrides_.repeat) c.repeat = *overrides_.repeat;
    if (root.contains("description") && !root["description"].is_string()) fail("description", "expected a string");
    datasets_dir_ = datasets_dir(root);
    const json& ds = required(root, "datasets", "");
    if (!ds.is_array() || ds.empty()) fail("datasets", "expected a non-empty array");
    for (size_t i = 0; i < ds.size(); ++i) add_datasets(ds[i], "datasets[" + std::to_string(i) + "]", c.datasets);
    const json& ps = required(root, "pipelines", "");
    if (!ps.is_array() || ps.empty()) fail("pipelines", "expected a non-empty array");
    std::set<std::string> names;
    for (size_t i = 0; i < ps.size(); ++i) {
      c.pipelines.push_back(pipeline(ps[i], "pipelines[" + std::to_string(i) + "]"));
      if (!names.insert(c.pipelines.back().name).second)
        fail("pipelines[" + std::to_string(i) + "].name", "duplicate pipeline name '" + c.pipelines.back().name + "'");
    }
    return c;
  }

 private:
  [[noreturn]] void fail(const std::string& path, const std::string& message) const {
    throw_config(file_.string() + ": " + (path.empty() ? "" : path + ": ") + message);
  }

  static std::string join(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }

  void check_keys(const json& obj, const std::string& path, std::initializer_list<const char*> known) const {
    for (const auto& [key, value] : obj.items()) {
      (void)value;
      if (std::none_of(known.begin(), known.end(), [&](const char* k) { return key == k; })) {
        std::string list;
        for (const char* k : known) list += (list.empty() ? "" : ", ") + std::string(k);
        fail(join(path, key), "unknown key (known: " + list + ")");
      }
    }
  }

  const json& required(const json& obj, const std::string& key, const std::string& path) const {
    if (!obj.contains(key)) fail(join(path, key), "missing");
    return obj[key];
  }

  int integer(const json& v, const std::string& path, int lo, int hi) const {
    if (!v.is_number_integer()) fail(path, "expected an integer, got " + v.dump());
    auto n = v.get<int64_t>();
    if (n < lo || n > hi) fail(path, v.dump() + " is out of range " + std::to_string(lo) + ".." + std::to_string(hi));
    return static_cast<int>(n);
  }

  // A positive number, or a string "2^-17".
  double tolerance(const json& v) const {
    double t = 0;
    if (v.is_number()) {
      t = v.get<double>();
    } else if (v.is_string()) {
      std::smatch m;
      std::string s = v.get<std::string>();
      if (!std::regex_match(s, m, std::regex(R"(\s*2\s*\^\s*(-?\d+)\s*)"))) fail("tolerance", "expected a number or \"2^-N\", got " + v.dump());
      t = std::ldexp(1.0, std::stoi(m[1]));
    } else {
      fail("tolerance", "expected a number or \"2^-N\", got " + v.dump());
    }
    if (!(t > 0) || !std::isfinite(t) || t > 1e6) fail("tolerance", v.dump() + " is not a positive finite bound");
    return t;
  }

  // --datasets DIR, else $LCZ_DATASETS, else the config's datasets_dir (relative to the config
  // file), else the config file's folder.
  fs::path datasets_dir(const json& root) const {
    if (overrides_.datasets_dir) return *overrides_.datasets_dir;
    if (const char* env = std::getenv("LCZ_DATASETS"); env && *env) return env;
    fs::path here = file_.parent_path();
    if (root.contains("datasets_dir")) {
      if (!root["datasets_dir"].is_string()) fail("datasets_dir", "expected a string");
      fs::path d = root["datasets_dir"].get<std::string>();
      return d.is_absolute() ? d : here / d;
    }
    return here;
  }

  fs::path existing_file(const json& v, const std::string& path) const {
    if (!v.is_string() || v.get<std::string>().empty()) fail(path, "expected a file name");
    fs::path p = v.get<std::string>();
    if (p.is_relative()) p = (datasets_dir_ / p).lexically_normal();
    if (!fs::is_regular_file(p))
      throw_input(file_.string() + ": " + path + ": dataset file " + p.string() + " does not exist (datasets folder: " +
                  datasets_dir_.string() + "; set it with --datasets DIR or LCZ_DATASETS)");
    return p;
  }

  void add_datasets(const json& d, const std::string& path, std::vector<DatasetSpec>& out) const {
    if (d.is_string()) {
      std::string pattern = d.get<std::string>();
      if (pattern.find_first_of("*?[") == std::string::npos) {
        out.push_back({.name = fs::path(pattern).filename().string(), .path = existing_file(d, path)});
        return;
      }
      fs::path full = fs::path(pattern).is_relative() ? datasets_dir_ / pattern : fs::path(pattern);
      std::vector<fs::path> matches;
      if (fs::is_directory(full.parent_path()))
        for (const auto& e : fs::directory_iterator(full.parent_path()))
          if (e.is_regular_file() && fnmatch(full.filename().c_str(), e.path().filename().c_str(), 0) == 0)
            matches.push_back(e.path());
      if (matches.empty())
        throw_input(file_.string() + ": " + path + ": pattern " + full.string() + " matches no file");
      std::sort(matches.begin(), matches.end());
      for (const auto& m : matches) out.push_back({.name = m.filename().string(), .path = m});
      return;
    }
    if (!d.is_object()) fail(path, "expected a file name, a glob or an object");
    check_keys(d, path, {"name", "path", "format", "base", "target"});
    DatasetSpec s;
    if (d.contains("base") || d.contains("target")) {
      if (d.contains("path") || d.contains("format")) fail(path, "a delta has base and target, not path or format");
      s.base = existing_file(required(d, "base", path), join(path, "base"));
      s.target = existing_file(required(d, "target", path), join(path, "target"));
      s.name = s.target.filename().string() + "-minus-" + s.base.filename().string();
    } else {
      s.path = existing_file(required(d, "path", path), join(path, "path"));
      s.name = s.path.filename().string();
      if (d.contains("format")) {
        const json& f = d["format"];
        std::string fmt = f.is_string() ? f.get<std::string>() : "";
        if (fmt == "lc0") s.format = NetFormat::lc0;
        else if (fmt == "f32") s.format = NetFormat::f32;
        else if (fmt == "npy") s.format = NetFormat::npy;
        else if (fmt != "detect") fail(join(path, "format"), f.dump() + " is not one of detect, lc0, f32, npy");
      }
    }
    if (d.contains("name")) {
      if (!d["name"].is_string() || d["name"].get<std::string>().empty()) fail(join(path, "name"), "expected a non-empty string");
      s.name = d["name"].get<std::string>();
    }
    out.push_back(std::move(s));
  }

  PipelineSpec pipeline(const json& p, const std::string& path) const {
    if (!p.is_object()) fail(path, "expected an object with name, granularity and stages");
    check_keys(p, path, {"name", "granularity", "tensor_stages", "stages", "description"});
    PipelineSpec s;
    s.json = p;
    const json& name = required(p, "name", path);
    if (!name.is_string() || name.get<std::string>().empty()) fail(join(path, "name"), "expected a non-empty string");
    s.name = name.get<std::string>();
    if (p.contains("granularity")) {
      const json& g = p["granularity"];
      if (g == "net") s.granularity = Granularity::net;
      else if (g == "tensor") s.granularity = Granularity::tensor;
      else fail(join(path, "granularity"), g.dump() + " is not one of net, tensor");
    }
    const json& stages = required(p, "stages", path);
    if (!stages.is_array() || stages.empty()) fail(join(path, "stages"), "expected a non-empty array");
    StreamType flowing = StreamType::f32;
    for (size_t i = 0; i < stages.size(); ++i) {
      std::string spath = join(path, "stages[" + std::to_string(i) + "]");
      json entry = stages[i];
      if (entry.is_string()) entry = json{{"stage", entry}};
      if (!entry.is_object() || !entry.contains("stage") || !entry["stage"].is_string())
        fail(spath, "expected a stage name or an object with a \"stage\" key");
      std::string stage_name = entry["stage"].get<std::string>();
      const StageDescriptor* d = find_stage(stage_name);
      if (!d) {
        std::string known;
        for (const auto& k : all_stages()) known += (known.empty() ? "" : ", ") + k.name;
        fail(spath + ".stage", "unknown stage '" + stage_name + "' (known: " + known + ")");
      }
      if (d->input != flowing)
        fail(spath, "stage '" + stage_name + "' takes " + type_name(d->input) + " but the stream here is " +
                        type_name(flowing) + (i == 0 ? " (a pipeline starts from the f32 weights)" : ""));
      entry.erase("stage");
      try {
        s.stages.push_back({d, validate_params(d->params, entry, spath), spath});
      } catch (const Error& e) {
        fail("", e.what());
      }
      flowing = d->output;
    }
    if (p.contains("tensor_stages")) {
      s.tensor_stages = integer(p["tensor_stages"], join(path, "tensor_stages"), 0, static_cast<int>(stages.size()) - 1);
      if (s.granularity != Granularity::net && s.tensor_stages > 0)
        fail(join(path, "tensor_stages"), "only applies with granularity net (with tensor, every stage runs per tensor)");
    }
    if (flowing != StreamType::bytes)
      fail(join(path, "stages"), std::string("a pipeline must end in bytes; it ends in ") + type_name(flowing) +
                                     " (add a transform such as varint, bitpack or le_bytes, then a backend)");
    return s;
  }

  fs::path file_;
  ConfigOverrides overrides_;
  fs::path datasets_dir_;
};

}  // namespace

Config parse_config(const json& root, const fs::path& file, const ConfigOverrides& overrides) {
  return ConfigReader(file, overrides).read(root);
}

Config load_config(const fs::path& file, const ConfigOverrides& overrides) {
  std::ifstream in(file);
  if (!in) throw_config(file.string() + ": cannot open the config file");
  json root;
  try {
    root = json::parse(in);
  } catch (const json::parse_error& e) {
    throw_config(file.string() + ": not valid JSON: " + e.what());
  }
  return parse_config(root, file, overrides);
}

}  // namespace lcz
