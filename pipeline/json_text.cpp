#include "pipeline/json_text.h"

#include <set>
#include <vector>

#include "codecs/core/error.h"
#include "pipeline/json_check.h"

namespace lcz {
using nlohmann::json;

namespace {

// Builds the DOM itself (iteratively: no recursion on the input's depth) and knows at every
// event where in the document it is, for the messages.
class CheckedBuilder : public nlohmann::json_sax<json> {
 public:
  CheckedBuilder(std::string_view text, const std::string& where) : text_(text), where_(where) {}

  json take() { return std::move(root_); }

  bool null() override { return put(json(nullptr)); }
  bool boolean(bool v) override { return put(json(v)); }
  bool number_integer(number_integer_t v) override { return put(json(v)); }
  bool number_unsigned(number_unsigned_t v) override { return put(json(v)); }
  bool number_float(number_float_t v, const string_t&) override { return put(json(v)); }
  bool string(string_t& v) override { return put(json(std::move(v))); }
  bool binary(binary_t&) override { fail(next_path(), "binary values are not JSON"); }

  bool start_object(std::size_t) override { return open(json::object()); }
  bool start_array(std::size_t) override { return open(json::array()); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }

  bool key(string_t& k) override {
    Frame& f = frames_.back();
    if (!f.keys.insert(k).second) fail(JsonCheck::join(f.path, k), "duplicate key (each key may appear once)");
    f.key = k;
    return true;
  }

  bool parse_error(std::size_t position, const std::string& token, const nlohmann::detail::exception& ex) override {
    const std::string at = " at " + location(position);
    if (ex.id == 406)  // out_of_range.406: number overflow
      fail(next_path(), "number " + token + " is out of range of a double" + at);
    // Drop the library's "[json.exception.parse_error.101] " prefix: the rest says what is wrong.
    std::string what = ex.what();
    if (const size_t p = what.find("] "); what.rfind("[json.exception", 0) == 0 && p != std::string::npos)
      what = what.substr(p + 2);
    throw_config(where_ + ": not valid JSON" + (frames_.empty() ? "" : " (inside " + describe(frames_.back().path) + ")") +
                 ": " + what);
  }

 private:
  struct Frame {
    json* value;
    std::string path;
    size_t next_index = 0;
    std::string key;
    std::set<std::string, std::less<>> keys;
  };

  [[noreturn]] void fail(const std::string& path, const std::string& message) const {
    throw_config(where_ + ": " + (path.empty() ? "" : path + ": ") + message);
  }

  static std::string describe(const std::string& path) { return path.empty() ? "the top level" : path; }

  std::string location(size_t position) const {
    size_t line = 1, column = 1;
    for (size_t i = 0; i < position && i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    return "line " + std::to_string(line) + ", column " + std::to_string(column);
  }

  // The path of the value that comes next (without consuming an array index).
  std::string next_path() const {
    if (frames_.empty()) return "";
    const Frame& f = frames_.back();
    if (f.value->is_array()) return f.path + "[" + std::to_string(f.next_index) + "]";
    return JsonCheck::join(f.path, f.key);
  }

  // Places v where the document is now; returns where it landed and its path.
  std::pair<json*, std::string> place(json&& v) {
    if (frames_.empty()) {
      root_ = std::move(v);
      return {&root_, ""};
    }
    std::string path = next_path();
    Frame& f = frames_.back();
    if (f.value->is_array()) {
      ++f.next_index;
      f.value->push_back(std::move(v));
      return {&f.value->back(), std::move(path)};
    }
    json& slot = (*f.value)[f.key];
    slot = std::move(v);
    return {&slot, std::move(path)};
  }

  bool put(json&& v) {
    place(std::move(v));
    return true;
  }

  bool open(json&& container) {
    if (frames_.size() >= kMaxJsonDepth)
      fail(next_path(), "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels of arrays and objects");
    auto [value, path] = place(std::move(container));
    frames_.push_back({value, std::move(path)});
    return true;
  }

  bool close() {
    frames_.pop_back();
    return true;
  }

  std::string_view text_;
  const std::string& where_;
  json root_;
  std::vector<Frame> frames_;
};

}  // namespace

json parse_json_text(std::string_view text, const std::string& where) {
  CheckedBuilder builder(text, where);
  // sax_parse reports every syntax error through parse_error above, which throws.
  json::sax_parse(text.begin(), text.end(), &builder);
  return builder.take();
}

}  // namespace lcz
