#include "formats/npy/npy_file.h"

#include <bit>
#include <cstring>
#include <string_view>

#include "codecs/core/error.h"

namespace lcz {

static_assert(std::endian::native == std::endian::little, "npy '<f4' data is little-endian");

namespace {

constexpr std::string_view kMagic = "\x93NUMPY";

// The header is a Python dict literal such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (720065,), }
// This parses exactly that grammar: quoted keys, and values that are strings, True/False or
// tuples of integers.
class HeaderDictParser {
 public:
  HeaderDictParser(std::string_view text, const std::string& source) : text_(text), source_(source) {}

  NpyHeader parse() {
    NpyHeader header;
    bool seen_descr = false, seen_order = false, seen_shape = false;
    expect('{');
    while (!consume('}')) {
      const std::string key = quoted_string("a quoted key");
      expect(':');
      if (key == "descr") {
        header.descr = quoted_string("a dtype string for 'descr'");
        seen_descr = true;
      } else if (key == "fortran_order") {
        header.fortran_order = boolean(key);
        seen_order = true;
      } else if (key == "shape") {
        header.shape = integer_tuple(key);
        seen_shape = true;
      } else {
        fail("unexpected header field '" + key + "' (npy headers hold descr, fortran_order, shape)");
      }
      if (!consume(',')) {
        expect('}');
        break;
      }
    }
    if (!seen_descr) fail("header field 'descr' missing");
    if (!seen_order) fail("header field 'fortran_order' missing");
    if (!seen_shape) fail("header field 'shape' missing");
    return header;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw_input(source_ + ": npy header: " + what + " (header: " + std::string(text_) + ")");
  }

  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n')) ++pos_;
  }

  bool consume(char c) {
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  void expect(char c) {
    if (!consume(c)) fail(std::string("expected '") + c + "' at offset " + std::to_string(pos_));
  }

  std::string quoted_string(const std::string& what) {
    skip_space();
    if (pos_ >= text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"'))
      fail("expected " + what + " at offset " + std::to_string(pos_));
    const char quote = text_[pos_++];
    const size_t end = text_.find(quote, pos_);
    if (end == std::string_view::npos) fail("unterminated string at offset " + std::to_string(pos_));
    std::string value(text_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return value;
  }

  bool boolean(const std::string& key) {
    skip_space();
    for (const auto& [word, value] : {std::pair{std::string_view("True"), true}, {"False", false}}) {
      if (text_.substr(pos_, word.size()) == word) {
        pos_ += word.size();
        return value;
      }
    }
    fail("header field '" + key + "' must be True or False");
  }

  std::vector<uint64_t> integer_tuple(const std::string& key) {
    std::vector<uint64_t> values;
    expect('(');
    while (!consume(')')) {
      skip_space();
      const size_t start = pos_;
      uint64_t value = 0;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
        const uint64_t digit = static_cast<uint64_t>(text_[pos_++] - '0');
        if (value > (UINT64_MAX - digit) / 10) fail("header field '" + key + "': dimension too large");
        value = value * 10 + digit;
      }
      if (pos_ == start) fail("header field '" + key + "': expected a non-negative integer at offset " +
                              std::to_string(pos_));
      values.push_back(value);
      if (!consume(',')) {
        expect(')');
        break;
      }
    }
    return values;
  }

  std::string_view text_;
  const std::string& source_;
  size_t pos_ = 0;
};

uint32_t read_u32le(const uint8_t* p) { return p[0] | p[1] << 8 | p[2] << 16 | uint32_t{p[3]} << 24; }

}  // namespace

bool is_npy(std::span<const uint8_t> bytes) {
  return bytes.size() >= kMagic.size() && std::memcmp(bytes.data(), kMagic.data(), kMagic.size()) == 0;
}

NpyHeader parse_npy_header(std::span<const uint8_t> file_bytes, const std::string& source) {
  if (!is_npy(file_bytes)) throw_input(source + ": not an npy file (no \\x93NUMPY magic)");
  if (file_bytes.size() < 10) throw_input(source + ": npy file truncated inside the preamble");
  const int major_version = file_bytes[6];
  size_t header_length = 0, header_start = 0;
  if (major_version == 1) {
    header_length = file_bytes[8] | file_bytes[9] << 8;
    header_start = 10;
  } else if (major_version == 2 || major_version == 3) {
    if (file_bytes.size() < 12) throw_input(source + ": npy file truncated inside the preamble");
    header_length = read_u32le(&file_bytes[8]);
    header_start = 12;
  } else {
    throw_input(source + ": npy format version " + std::to_string(major_version) + "." +
                std::to_string(file_bytes[7]) + " is not supported (1, 2, 3 are)");
  }
  if (header_length > file_bytes.size() - header_start)
    throw_input(source + ": npy header length " + std::to_string(header_length) + " runs past the end of the file");
  const std::string_view text(reinterpret_cast<const char*>(&file_bytes[header_start]), header_length);
  NpyHeader header = HeaderDictParser(text, source).parse();
  header.major_version = major_version;
  header.data_offset = header_start + header_length;
  return header;
}

Net read_npy_net(std::span<const uint8_t> file_bytes, const std::filesystem::path& path) {
  const std::string source = path.string();
  const NpyHeader header = parse_npy_header(file_bytes, source);
  if (header.descr != "<f4")
    throw_input(source + ": npy header field 'descr' is '" + header.descr +
                "'; only '<f4' (little-endian float32) is supported");
  if (header.fortran_order)
    throw_input(source + ": npy header field 'fortran_order' is True; only C order is supported");

  uint64_t count = 1;
  std::string shape_text;
  for (uint64_t d : header.shape) {
    if (d > UINT32_MAX) throw_input(source + ": npy header field 'shape': dimension " + std::to_string(d) + " too large");
    count = d == 0 || count <= UINT64_MAX / d ? count * d : UINT64_MAX;
    if (!shape_text.empty()) shape_text += ',';
    shape_text += std::to_string(d);
  }
  const uint64_t data_bytes = file_bytes.size() - header.data_offset;
  if (count > UINT32_MAX || data_bytes != count * sizeof(float))
    throw_input(source + ": npy data is " + std::to_string(data_bytes) + " bytes but header field 'shape' (" +
                shape_text + ") needs " + std::to_string(count) + " float32 values");

  std::vector<uint32_t> shape(header.shape.begin(), header.shape.end());
  if (shape.empty()) shape = {1};  // 0-d array: one value; keep shape non-empty
  return single_tensor_net(file_bytes.subspan(header.data_offset, data_bytes), std::move(shape), path, "npy");
}

std::vector<uint8_t> npy_file_bytes(const Net& net) {
  if (net.tensors.size() != 1)
    throw Error(ErrorKind::codec, "an .npy file holds one tensor; this net has " + std::to_string(net.tensors.size()));
  const Tensor& t = net.tensors[0];
  std::string shape = "(";
  for (size_t i = 0; i < t.shape.size(); ++i) shape += std::to_string(t.shape[i]) + (t.shape.size() == 1 ? "," : i + 1 < t.shape.size() ? ", " : "");
  shape += ")";
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
  // Magic (6) + version (2) + length (2) + header + '\n' is padded with spaces to a multiple of 64.
  const size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header.push_back('\n');
  std::vector<uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
  out.push_back(static_cast<uint8_t>(header.size() & 0xff));
  out.push_back(static_cast<uint8_t>(header.size() >> 8));
  out.insert(out.end(), header.begin(), header.end());
  const size_t data_at = out.size();
  out.resize(data_at + t.values.size() * sizeof(float));
  std::memcpy(out.data() + data_at, t.values.data(), t.values.size() * sizeof(float));
  return out;
}

}  // namespace lcz
