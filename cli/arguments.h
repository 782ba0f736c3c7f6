// Checks of command-line values shared by lczip and harness, applied while CLI11 parses (so a
// bad value is a usage error, exit 2, before any work). Header only: both programs include it.
#pragma once
#include <CLI/CLI.hpp>

#include <charconv>
#include <cstdint>
#include <string>

namespace lcz::cli {

// An option given with an empty value (`-o ""`, `--tolerance ""`) is refused, not taken as
// "not given".
inline CLI::Validator not_empty() {
  return CLI::Validator([](std::string& s) { return s.empty() ? std::string("an empty value") : std::string(); },
                        "NOT EMPTY", "not_empty");
}

// A whole number in decimal digits, no sign, in [min, max]: "-1" and "18446744073709551616"
// are refused instead of wrapping to 2^64 - 1, "1e3" and "0x10" instead of being misread.
inline CLI::Validator whole_number(uint64_t min, uint64_t max) {
  return CLI::Validator(
      [min, max](std::string& s) -> std::string {
        uint64_t v = 0;
        const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        const bool digits = !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
        if (!digits || ec != std::errc() || ptr != s.data() + s.size())
          return "'" + s + "' is not a whole number in decimal digits (at most " + std::to_string(max) + ")";
        if (v < min || v > max)
          return std::to_string(v) + " is out of range: expected " + std::to_string(min) + " to " + std::to_string(max);
        return {};
      },
      "UINT in [" + std::to_string(min) + " - " + std::to_string(max) + "]", "whole_number");
}

}  // namespace lcz::cli
