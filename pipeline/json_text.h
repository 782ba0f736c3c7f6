// Parsing JSON that a user wrote, before any other check looks at it. A DOM parser accepts
// things a config must not hold: a key given twice (the last one silently wins), nesting so
// deep that recursive copies and dumps exhaust the stack, numbers beyond double range (an
// exception from inside the parser). parse_json_text refuses each of them as an
// lcz::Error(config) naming the file and the JSON path, in one pass over the text.
#pragma once
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace lcz {

// Deeper than this is no config anyone writes (the shipped ones reach 4).
inline constexpr size_t kMaxJsonDepth = 64;

// "<where>: <path>: duplicate key 'x'", "<where>: not valid JSON: ... at line L, column C".
nlohmann::json parse_json_text(std::string_view text, const std::string& where);

}  // namespace lcz
