#include "codecs/core/params.h"

#include <cmath>

#include "codecs/core/error.h"

namespace lcz {

const char* param_type_name(ParamType t) {
  switch (t) {
    case ParamType::integer: return "integer";
    case ParamType::number: return "number";
    case ParamType::boolean: return "boolean";
    case ParamType::string: return "string";
  }
  return "?";
}

namespace {

bool has_type(const nlohmann::json& v, ParamType t) {
  switch (t) {
    case ParamType::integer: return v.is_number_integer();
    case ParamType::number: return v.is_number();
    case ParamType::boolean: return v.is_boolean();
    case ParamType::string: return v.is_string();
  }
  return false;
}

std::string range_text(const ParamSpec& s) {
  auto num = [](double d) {
    nlohmann::json j = d;
    if (d == std::floor(d) && std::fabs(d) < 1e15) j = static_cast<int64_t>(d);
    return j.dump();
  };
  return (s.min ? num(*s.min) : std::string("-inf")) + ".." + (s.max ? num(*s.max) : std::string("inf"));
}

}  // namespace

Params validate_params(const std::vector<ParamSpec>& specs, const nlohmann::json& values, const std::string& path) {
  if (!values.is_object()) throw_config(path + ": expected an object of parameters");
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, v] : values.items()) {
    const ParamSpec* spec = nullptr;
    for (const auto& s : specs)
      if (s.name == key) spec = &s;
    if (!spec) {
      std::string known;
      for (const auto& s : specs) known += (known.empty() ? "" : ", ") + s.name;
      throw_config(path + "." + key + ": unknown parameter (known: " + (known.empty() ? "none" : known) + ")");
    }
    if (v.is_null() && spec->default_value.is_null()) {
      out[key] = nullptr;  // explicitly "not set"
      continue;
    }
    if (!has_type(v, spec->type))
      throw_config(path + "." + key + ": expected " + param_type_name(spec->type) + ", got " + v.dump());
    if (spec->type == ParamType::integer || spec->type == ParamType::number) {
      double d = v.get<double>();
      if (!std::isfinite(d) || (spec->min && d < *spec->min) || (spec->max && d > *spec->max))
        throw_config(path + "." + key + ": " + v.dump() + " is out of range " + range_text(*spec));
    }
    if (spec->type == ParamType::string && !spec->choices.empty()) {
      bool ok = false;
      std::string list;
      for (const auto& c : spec->choices) {
        ok = ok || c == v.get<std::string>();
        list += (list.empty() ? "" : ", ") + c;
      }
      if (!ok) throw_config(path + "." + key + ": " + v.dump() + " is not one of " + list);
    }
    out[key] = v;
  }
  for (const auto& s : specs)
    if (!out.contains(s.name)) out[s.name] = s.default_value;
  return Params(std::move(out));
}

const nlohmann::json& Params::at(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->is_null())
    throw Error(ErrorKind::config, "parameter '" + name + "' is not set");
  return *it;
}

bool Params::is_set(const std::string& name) const {
  auto it = values_.find(name);
  return it != values_.end() && !it->is_null();
}
int64_t Params::integer(const std::string& name) const { return at(name).get<int64_t>(); }
double Params::number(const std::string& name) const { return at(name).get<double>(); }
bool Params::boolean(const std::string& name) const { return at(name).get<bool>(); }
std::string Params::string(const std::string& name) const { return at(name).get<std::string>(); }

}  // namespace lcz
