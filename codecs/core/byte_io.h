// Little-endian byte writer and a bounds-checked reader. Every read checks what is left and
// reports the stage and offset of a short or inconsistent stream.
#pragma once
#include <cstdint>
#include <cstring>
#include <span>
#include <string>

#include "codecs/core/error.h"
#include "codecs/core/little_endian.h"
#include "codecs/core/stream.h"

namespace lcz {

class ByteWriter {
 public:
  explicit ByteWriter(Bytes& out) : out_(out) {}
  void u8(uint8_t v) { out_.push_back(v); }
  void u16le(uint16_t v) {
    for (int i = 0; i < 2; ++i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  void u32le(uint32_t v) {
    for (int i = 0; i < 4; ++i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  void u64le(uint64_t v) {
    for (int i = 0; i < 8; ++i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  // LEB128: 7 bits per byte, least significant group first, high bit = more bytes follow.
  void varint(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<uint8_t>(v | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<uint8_t>(v));
  }
  void bytes(std::span<const uint8_t> b) { out_.insert(out_.end(), b.begin(), b.end()); }

 private:
  Bytes& out_;
};

class ByteReader {
 public:
  // Failures are lcz::Error(codec) naming the stage; a reader of a file format (kind input)
  // names the file instead.
  ByteReader(std::span<const uint8_t> in, std::string stage, ErrorKind kind = ErrorKind::codec)
      : in_(in), stage_(std::move(stage)), kind_(kind) {}

  size_t offset() const { return pos_; }
  size_t remaining() const { return in_.size() - pos_; }
  bool at_end() const { return pos_ == in_.size(); }

  uint8_t u8() {
    need(1, "a byte");
    return in_[pos_++];
  }
  uint16_t u16le() {
    need(2, "a 2-byte integer");
    const uint16_t v = load_le16(&in_[pos_]);
    pos_ += 2;
    return v;
  }
  uint32_t u32le() {
    need(4, "a 4-byte integer");
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= uint32_t{in_[pos_ + i]} << (8 * i);
    pos_ += 4;
    return v;
  }
  uint64_t u64le() {
    need(8, "an 8-byte integer");
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= uint64_t{in_[pos_ + i]} << (8 * i);
    pos_ += 8;
    return v;
  }
  uint64_t varint() {
    size_t start = pos_;
    uint64_t v = 0;
    for (int shift = 0;; shift += 7) {
      if (at_end()) fail(start, "varint runs past the end");
      uint8_t b = in_[pos_++];
      if (shift == 63 && b > 1) fail(start, "varint overflows 64 bits");
      v |= uint64_t{b & 0x7fu} << shift;
      if (!(b & 0x80)) return v;
      if (shift == 63) fail(start, "varint overflows 64 bits");
    }
  }
  // A count read from the stream, checked against a limit before anything is allocated.
  uint64_t count(uint64_t limit, const char* what) {
    size_t start = pos_;
    uint64_t n = varint();
    if (n > limit)
      fail(start, std::string(what) + " " + std::to_string(n) + " exceeds the limit " + std::to_string(limit));
    return n;
  }
  std::span<const uint8_t> bytes(size_t n) {
    need(n, std::to_string(n) + " bytes");
    auto s = in_.subspan(pos_, n);
    pos_ += n;
    return s;
  }
  void expect_end() {
    if (!at_end()) fail(pos_, std::to_string(remaining()) + " unexpected trailing bytes");
  }
  [[noreturn]] void fail(size_t offset, const std::string& message) const {
    if (kind_ == ErrorKind::codec) throw_corrupt(stage_, offset, message);
    throw Error(kind_, stage_ + ": at offset " + std::to_string(offset) + ": " + message);
  }

 private:
  void need(size_t n, const std::string& what) const {
    if (remaining() < n)
      fail(pos_, "expected " + what + ", only " + std::to_string(remaining()) + " bytes left");
  }
  std::span<const uint8_t> in_;
  std::string stage_;
  ErrorKind kind_;
  size_t pos_ = 0;
};

}  // namespace lcz
