// One exception type with a kind; the CLI maps each kind to a distinct exit code.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace lcz {

enum class ErrorKind {
  config = 2,   // bad config file, unknown key, wrong type or range, broken type chain
  input = 3,    // a dataset that cannot be read: missing, truncated, bad format, NaN/Inf
  verify = 4,   // a round trip that does not reproduce the data within the tolerance
  codec = 5,    // a stage refused its input or found a corrupt stream
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message, std::optional<uint64_t> element = {})
      : std::runtime_error(message), kind_(kind), element_(element) {}
  ErrorKind kind() const { return kind_; }
  // An encoder's refusal of one element: its index in the stage's input. The pipeline maps
  // it back to the tensor and the weight it came from.
  const std::optional<uint64_t>& element() const { return element_; }

 private:
  ErrorKind kind_;
  std::optional<uint64_t> element_;
};

// A number in a message, readable at any scale ("%.9g"; never std::to_string's "0.000000").
std::string readable_number(double v);

[[noreturn]] void throw_config(const std::string& message);
[[noreturn]] void throw_input(const std::string& message);
// An encoder that cannot represent its input (value too wide, NaN, ...).
[[noreturn]] void throw_refused(const std::string& stage, const std::string& message);
// The same for one element of the input, at index `element`.
[[noreturn]] void throw_refused_at(const std::string& stage, uint64_t element, const std::string& message);
// A decoder that finds its input inconsistent; offset is the byte or element where it noticed.
[[noreturn]] void throw_corrupt(const std::string& stage, size_t offset, const std::string& message);

}  // namespace lcz
