// Output buffer for the streaming decoders of the byte backends. A compressed stream cannot be
// trusted to say how large its output is, so the buffer starts from a guess bounded by the input
// size, doubles when full, and stops the decoder with an error once it would pass
// StageContext::max_decoded_bytes.
#pragma once
#include <algorithm>
#include <cstdint>
#include <limits>
#include <span>
#include <string>

#include "codecs/core/error.h"
#include "codecs/core/stream.h"

namespace lcz {

class BoundedOutput {
 public:
  // claimed: a size the stream states (zstd frame content size), or 0 when there is none.
  BoundedOutput(std::string stage, uint64_t limit, size_t input_size, uint64_t claimed = 0)
      : stage_(std::move(stage)), limit_(limit) {
    // One byte past the limit, so a decoder that writes more than the limit is caught writing it.
    capacity_limit_ = static_cast<size_t>(std::min<uint64_t>(limit, std::numeric_limits<size_t>::max() - 1)) + 1;
    // A claimed size is believed only up to a ratio no real data reaches: a corrupt header must not
    // make us allocate gigabytes for a few input bytes.
    uint64_t believable = uint64_t{1} << 20;
    believable += 64 * uint64_t{input_size};
    uint64_t guess = claimed ? claimed : 3 * uint64_t{input_size} + 4096;
    buffer_.resize(static_cast<size_t>(std::min<uint64_t>({guess, believable, capacity_limit_})));
  }

  // Free room after what was produced, at most max_chunk bytes (the zlib and bzip2 APIs count in
  // unsigned int). Grows the buffer when it is full.
  std::span<uint8_t> room(size_t max_chunk = std::numeric_limits<size_t>::max()) {
    if (size_ == buffer_.size()) {
      size_t grown = buffer_.size() < capacity_limit_ / 2 ? std::max<size_t>(2 * buffer_.size(), 65536) : capacity_limit_;
      buffer_.resize(std::min(grown, capacity_limit_));
    }
    return std::span<uint8_t>(buffer_).subspan(size_, std::min(buffer_.size() - size_, max_chunk));
  }

  // n bytes of the last room were written; input_offset says where the decoder was, for the error.
  void produced(size_t n, size_t input_offset) {
    size_ += n;
    if (size_ > limit_)
      throw_corrupt(stage_, input_offset,
                    "decoded output exceeds max_decoded_bytes (" + std::to_string(limit_) + ")");
  }

  size_t size() const { return size_; }

  Bytes take() && {
    buffer_.resize(size_);
    buffer_.shrink_to_fit();
    return std::move(buffer_);
  }

 private:
  std::string stage_;
  uint64_t limit_;
  size_t capacity_limit_;
  Bytes buffer_;
  size_t size_ = 0;
};

}  // namespace lcz
