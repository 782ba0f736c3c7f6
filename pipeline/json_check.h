// Checks on JSON values read from a file a user wrote, shared by the harness config reader
// and the pipeline parser: every failure is an lcz::Error(config) naming the file and the
// JSON path of the culprit ("configs/x.json: pipelines[0].stages[3].level: ...").
#pragma once
#include <cstdint>
#include <initializer_list>
#include <string>

#include <nlohmann/json.hpp>

namespace lcz {

class JsonCheck {
 public:
  explicit JsonCheck(std::string where) : where_(std::move(where)) {}

  [[noreturn]] void fail(const std::string& path, const std::string& message) const;

  static std::string join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
  }
  // Every key of obj must be one of known.
  void keys(const nlohmann::json& obj, const std::string& path, std::initializer_list<const char*> known) const;
  const nlohmann::json& required(const nlohmann::json& obj, const std::string& key, const std::string& path) const;
  int64_t integer(const nlohmann::json& v, const std::string& path, int64_t lo, int64_t hi) const;
  std::string non_empty_string(const nlohmann::json& v, const std::string& path) const;
  // A name that appears in reports (pipeline, dataset): no control characters (a newline or tab
  // would break the CSV and markdown rows), at most 200 bytes.
  void name_text(const std::string& name, const std::string& path) const;

  const std::string& where() const { return where_; }

 private:
  std::string where_;
};

}  // namespace lcz
