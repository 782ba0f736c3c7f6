#include "pipeline/json_check.h"

#include <algorithm>

#include "codecs/core/error.h"

namespace lcz {

void JsonCheck::fail(const std::string& path, const std::string& message) const {
  throw_config(where_ + ": " + (path.empty() ? "" : path + ": ") + message);
}

void JsonCheck::keys(const nlohmann::json& obj, const std::string& path, std::initializer_list<const char*> known) const {
  for (const auto& item : obj.items()) {
    const std::string& key = item.key();  // not a structured binding: clang 14 cannot capture one
    if (std::none_of(known.begin(), known.end(), [&](const char* k) { return key == k; })) {
      std::string list;
      for (const char* k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      fail(join(path, key), "unknown key (known: " + list + ")");
    }
  }
}

const nlohmann::json& JsonCheck::required(const nlohmann::json& obj, const std::string& key,
                                          const std::string& path) const {
  if (!obj.contains(key)) fail(join(path, key), "missing");
  return obj[key];
}

int64_t JsonCheck::integer(const nlohmann::json& v, const std::string& path, int64_t lo, int64_t hi) const {
  if (!v.is_number_integer()) fail(path, "expected an integer, got " + v.dump());
  const std::string range = " is out of range " + std::to_string(lo) + ".." + std::to_string(hi);
  // An unsigned above INT64_MAX would wrap to a negative int64.
  if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) fail(path, v.dump() + range);
  const int64_t n = v.get<int64_t>();
  if (n < lo || n > hi) fail(path, v.dump() + range);
  return n;
}

std::string JsonCheck::non_empty_string(const nlohmann::json& v, const std::string& path) const {
  if (!v.is_string() || v.get<std::string>().empty()) fail(path, "expected a non-empty string");
  return v.get<std::string>();
}

void JsonCheck::name_text(const std::string& name, const std::string& path) const {
  if (name.size() > 200) fail(path, "name of " + std::to_string(name.size()) + " bytes; at most 200");
  for (unsigned char c : name)
    if (c < 0x20 || c == 0x7f)
      fail(path, "name " + nlohmann::json(name).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
                     " contains a control character; names appear in report rows");
}

}  // namespace lcz
