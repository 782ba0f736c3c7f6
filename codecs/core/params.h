// Typed, documented stage parameters. A stage declares a ParamSpec per key; validate_params()
// rejects unknown keys, wrong types and out-of-range values with the JSON path of the culprit,
// and fills in defaults, so a stage reads only values that were checked.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lcz {

enum class ParamType { integer, number, boolean, string };

struct ParamSpec {
  std::string name;
  ParamType type;
  nlohmann::json default_value;        // null: "not set" (the stage then chooses, e.g. from the data)
  std::optional<double> min, max;      // inclusive range for integer and number
  std::vector<std::string> choices;    // allowed values for string
  std::string doc;
};

const char* param_type_name(ParamType t);

class Params {
 public:
  Params() = default;
  explicit Params(nlohmann::json values) : values_(std::move(values)) {}

  bool is_set(const std::string& name) const;
  int64_t integer(const std::string& name) const;
  double number(const std::string& name) const;
  bool boolean(const std::string& name) const;
  std::string string(const std::string& name) const;
  const nlohmann::json& json() const { return values_; }

 private:
  const nlohmann::json& at(const std::string& name) const;
  nlohmann::json values_ = nlohmann::json::object();
};

// values: the JSON object of one stage entry without its "stage" key.
// path: where that object sits, e.g. "pipelines[3].stages[1]"; errors read "<path>.<key>: ...".
Params validate_params(const std::vector<ParamSpec>& specs, const nlohmann::json& values, const std::string& path);

}  // namespace lcz
