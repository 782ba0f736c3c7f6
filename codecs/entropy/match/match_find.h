// The match finder of the rans and cm encoders: splits an int32 stream into literals and sequences
// (sequences.h), taking a match only where it costs fewer bits than the literals it replaces.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "codecs/entropy/match/sequences.h"

namespace lcz::match {

// The sequences worth coding, in stream order: those that save more than `margin` bits on
// the estimate (see match_find.cpp); a literal coder that codes below the estimate asks for
// a larger margin. A burst of lookups every `burst_every` values (a multiple of 4): denser
// finds shorter repeats, for more time.
std::vector<Sequence> find_matches(std::span<const int32_t> values, float margin = 8, size_t burst_every = 16);

// The literals a parse leaves, read in pieces: the values between the matches, in order.
// (Gathering a block at a time into a reused buffer beats copying them all at once.)
class LiteralReader {
 public:
  LiteralReader(std::span<const int32_t> values, std::span<const Sequence> sequences);
  size_t count() const { return count_; }
  // The next `n` literals (n <= those left) into out[0, n).
  void read(int32_t* out, size_t n);

 private:
  std::span<const int32_t> values_;
  std::span<const Sequence> sequences_;
  size_t count_ = 0;
  size_t next_ = 0;     // next sequence
  size_t pos_ = 0;      // next literal's position in values
  size_t in_run_ = 0;   // literals left before sequence next_ (or to the end)
};

}  // namespace lcz::match
