// The model of the cm stage, shared by encoder and decoder: how an int32 becomes binary
// decisions, which contexts predict each one, and the state carried from value to value.
// code() is written once over a Coder (ArithEncoder or ArithDecoder), so the two directions
// cannot drift apart.
//
// Binarisation of a value v, m = |v|, token t = bit_width(m) (0 for m = 0, at most 32):
//   1. t, unary from a centre c = bit_width(recent mean magnitude): "t >= c?", then "t > j?"
//      for j = c, c+1, ... or "t == j?" for j = c-1, c-2, ..., 1. Most values need 2-3
//      decisions; any int32 is reachable, so no escape is needed. A zero costs c decisions
//      that way, which is many where zeros sit between large values (a dense layer stored
//      [in][out] with dead outputs: maia-2200.onnx's value head, 77 % zeros in columns): the
//      zero flag (optional) first says "t == 0?" where c > 1 and one of the last 8 values was
//      0, from one counter in (zeros among the last 8, the token at the period and at the long
//      lag zero or not, c). Like the short-repeat flag it is coded only while its counter gives
//      a zero at least 1/8 (below, it learns from the coded value); after "not 0" the unary
//      stops at t = 1 without a decision.
//   2. the sign, if t > 0.
//   3. the t-1 bits below the leading one: the top `mantissa_bits` modelled, the rest coded
//      with probability 1/2 (bypass: Coder::bits, in new streams a raw section of their own,
//      raw_bits.h), except while the match model (below) is confident.
// Each decision is predicted by adaptive counters. Speed is bought by giving each decision
// as few inputs as pays (measured on the shared nets: every input dropped below cost under
// 0.05% and each removed mixer input ~10% of the time):
//   - token decisions: two counters mixed in the logistic domain by a weight set chosen by
//     the decision: the token at distance `period` with bf (3x3 kernels), and the position
//     modulo `period` with bf, replaced by the token at the long lag with bf while a long lag
//     is known (below); bf is the magnitude averaged over about 8 values (log2 buckets, 4 per
//     octave), which follows the scale of the current tensor and output channel;
//   - the sign: one counter, in the signs at once and twice the long lag with the previous
//     sign while a long lag is known, else in the signs of the two previous values (mixed
//     with the match model's predicted sign while a match lasts);
//   - the modelled bits below the leading one: one counter in (bf, class, bits so far), its
//     probability coded as it is (no mixer: a second input gained under 0.05%).
// Long lag: in a conv layer [out][in][3][3] the value at distance in*9 (same position, previous
// output channel) can be correlated (maia policy head: 66% sign agreement). Every kLagEvery
// values the lag in 16..kFar/2 whose signs agree most often with those of the last kFar/2
// values is taken if the agreement is significant (z >= 6 over ~2000 lags tried), else there is
// none. The layout is found in the data, not assumed (on maia nets: 117 = 13 history planes * 9
// in the input layer, 576 in the policy head, 16 in the value head's FC layer).
// Values of 2^24 or more (in practice only the grid stage's header words, float bit patterns)
// do not move the magnitude averages, so a tensor starts from the scale of the one before.
// Match model (optional): numeric data that repeats at a distance, scaled (tied or
// fine-tuned copies of a layer), is found through a hash of the signs of the last 24 values.
// While a match lasts, the value at the matched position, times a least-squares gain,
// predicts v; every threshold decision then gets one more input whose context is the
// distance of that prediction from the threshold in units of the recent prediction error.
// Where a stream holds no such copies its chance matches cost 7-19 % of the time for nothing:
// the encoder keeps it only where match_gain, these same dynamics run over the literals with
// nothing coded, estimates that it saves 1/512 of their size (encoder.cpp; header flag).
// Short-repeat model (optional): a byte-oriented LZ finds what the models above miss, short
// exact repeats at any lag (the same 16 values of a plane in another channel: too short to
// pay as a sequence of the match finder here). The last kRepKey values, hashed exactly, point to where they occurred
// last; while the values that followed there keep coming, the next one is the prediction, and
// one decision first says whether v is it. Its counter, in the match length and the
// prediction's class against the scale, is the model's own confidence: the decision is coded
// only while that counter gives the prediction at least 1/8 (below, it learns from the coded
// value), so that windows of small values that recur by chance cost next to nothing. A
// prediction of 0 is not flagged: the token decisions code zeros better (measured: flagging
// them cost 0.07% on maia-1900); long zero runs are sequences anyway. Its hashing costs 4-6 %
// of the time both ways: the encoder keeps it only where a sample of the stream says it pays
// (encoder.cpp; header flag), as it does the match model.
#pragma once
#include <algorithm>
#include <array>
#include <bit>
#include <climits>
#include <cstdint>
#include <span>
#include <vector>

#include "codecs/core/zigzag.h"
#include "codecs/entropy/cm/model.h"
#include "codecs/entropy/cm/lag_search.h"
#include "codecs/entropy/cm/sign_windows.h"

namespace lcz::cm {

// What the decoder must know to rebuild the model: stored in the stream header.
struct ModelParams {
  int mantissa_bits = 1;  // 0..kMaxMantissaBits
  int period = 9;         // 1..kMaxPeriod
  bool match = true;      // sequences, and the match model (where it pays: the encoder's choice)
  bool base_context = false;  // values come with a context byte derived from a base (Stage::base_context)
  // The short-repeat model: allowed in new streams, kept where it pays (no stage parameter, so
  // that the stored pipelines of older containers resolve as they did); off when reading a
  // stream without it.
  bool repeat = true;
  // Encoder only: the short-repeat model is kept only where it pays for its time (encoder.cpp),
  // unless this is set (the streams of the encoder before that choice: tests pin them).
  bool repeat_always = false;
  // The zero flag: always on in new streams, off when reading a stream without it.
  bool zero = true;
  // Bypass bits in a section of their own (raw_bits.h), not in the arithmetic code: always in
  // new streams. Not a model setting (the model codes the same decisions either way).
  bool raw_bits = true;
};
constexpr int kMaxMantissaBits = 3;
constexpr int kMaxPeriod = 16;

class ValueModel {
 public:
  // history: where the value_count values are, the encoder's input or the decoder's output, read
  // by the match and short-repeat models at earlier positions; record: in the decoder, the
  // same array, written as each value is decoded (nullptr where the values are given).
  ValueModel(const ModelParams& p, uint64_t value_count, const int32_t* history, int32_t* record);

  // Encoder: codes v. Decoder: v is ignored; the decoded magnitude and sign are then in
  // magnitude() and negative() (a corrupt stream can yield a magnitude no int32 has).
  // bctx: the value's base context (0: none), used when params.base_context is set.
  template <class Coder>
  void code(Coder& coder, int32_t v, int bctx = 0);

  // What the match model would save on these values, in 1/16 bits (an estimate), from the
  // model's own match dynamics (predict, follow_match, the windows of update_match taken from
  // sign_windows) with nothing coded: for every value a
  // match predicts, log2((|v| + 1) / (|v - prediction| + 1)). Chance matches sum to about 0
  // or below; copies of earlier values, scaled or not, to several bits per value. Stops early
  // (at a multiple of 4096 values) once the sum reaches stop_at.
  static int64_t match_gain(std::span<const int32_t> values, int64_t stop_at = INT64_MAX);

  uint32_t magnitude() const { return mag_; }
  bool negative() const { return neg_; }

 private:
  // Sizes of the context tables.
  static constexpr int kHistTokens = 24;       // tokens of neighbours, clamped
  static constexpr int kBuckets = 104;         // bucket_of() of a 4-fractional-bit average
  static constexpr int kTokIds = 96;           // token decisions: see code()
  static constexpr int kNodes = 16;            // mantissa decisions per e
  static constexpr int kManIds = 32 * kNodes;  // e * kNodes + node
  static constexpr int kConf = 5;              // match confidence 0 (none) .. 4
  static constexpr int kZ = 82;                // z buckets of the match input
  static constexpr int kTokK = 2, kManK = 1, kSgnK = 2;  // inputs without the match model
  static constexpr uint32_t kHist = 64;        // recent tokens and signs (>= kMaxPeriod + 2)
  static constexpr uint32_t kRingBits = 20;    // log2 of how far back a match may reach
  static constexpr int kMatchKey = kSignWindow;  // signs hashed to find a match
  static constexpr int kMatchMinNonzero = kSignWindowMinNonzero;  // ... of which at least this many nonzero
  static constexpr uint32_t kFar = kLagValues; // recent tokens and signs for the long lag
  static constexpr uint32_t kLagEvery = 16384; // values between two searches for the long lag
  static constexpr int kLagZ2 = 36;            // significance: z^2 of the sign agreement (z >= 6)
  static constexpr int kOutlierToken = 25;     // values of this token and above skip the averages
  static constexpr int kExactRuns = 16;        // contexts of the exact-match flag
  static constexpr int kBaseContexts = 256;    // base context bytes
  static constexpr int kBaseSignContexts = 16; // their low 4 bits (base_prediction.h: fraction and sign)
  static constexpr int kRepKey = 4;            // exact values hashed by the short-repeat model
  static constexpr int kRepLens = 16;          // contexts of its length (predictions confirmed so far)
  static constexpr int kRepClasses = 4;        // ... and of the prediction's class against the scale
  static constexpr uint32_t kRepGate = 8192;   // its flag is coded from this P(hit) on (1/8 in 16 bits)
  static constexpr int kRepTableBits = 14;     // its table: at most 2^14 entries, as the match model's
  static constexpr int kZeroContexts = 9 * 4;  // zero flag contexts: zeros among the last 8 (0..8) x class 0 at the period, at the long lag
  static constexpr int kZeroCentres = 8;       // ... x the centre 2..9 (clamped),
  static constexpr uint32_t kZeroGate = 8192;  // ... coded from this P(zero) on (1/8 in 16 bits)

  // Adaptation.
  static constexpr uint32_t kLimit = 255;  // counter: rate floor 1/(kLimit + 1.5)
  static constexpr int32_t kLr = 6;        // mixer learning rate
  static constexpr int32_t kW0 = 65536 * 3 / 10;
  static constexpr int kFastShift = 3;  // average magnitude: rate 2^-shift
  static constexpr int kGainShift = 4;                  // least-squares gain: memory 2^shift
  static constexpr int kErrShift = 3;                   // prediction error average
  static constexpr int kZScale = 16;                    // z buckets per error unit

  static int bucket_of(uint64_t x) {
    if (x == 0) return 0;
    const int lg = std::bit_width(x) - 1;
    const int frac = lg >= 2 ? static_cast<int>((x >> (lg - 2)) & 3) : static_cast<int>((x << (2 - lg)) & 3);
    return std::min(1 + lg * 4 + frac, kBuckets - 1);
  }
  // Context of the match input for the decision "m >= thr".
  int z_of(uint64_t thr) const {
    // A multiply by a reciprocal set once per value rather than a division per decision. The
    // distance is clamped to 2^26 so that the product stays below 2^63 (with the error unit of
    // weights, far below 2^20, such a distance lies outside the buckets anyway).
    const int64_t d = std::clamp<int64_t>(static_cast<int64_t>(pm_) - static_cast<int64_t>(thr), -(int64_t{1} << 26), int64_t{1} << 26);
    const int64_t z = (d * kZScale * static_cast<int64_t>(recip_err_)) >> 32;
    return conf_ * kZ + static_cast<int>(std::clamp<int64_t>(z + kZ / 2, 0, kZ - 1));
  }
  // base: the row of the value's base context, or nullptr.
  template <class Coder>
  int token_decision(Coder& coder, int d, int y, Counter* const* rows, Counter* base);
  void predict();
  void update(int t);
  void detect_lag();
  void update_repeat(int32_t val, uint32_t i);
  void update_match(int32_t val, int sign, uint32_t i);
  void follow_match(int32_t val, int sign, uint32_t i);
  bool window_matches(uint64_t entry, uint32_t check, uint32_t i) const;
  void start_match(uint64_t entry, uint32_t check, uint32_t i);
  size_t pass_unmatched(const uint64_t* windows, size_t k, size_t end);
  // The match model's state alone (hash table), for match_gain.
  struct MatchOnly {};
  ValueModel(MatchOnly, std::span<const int32_t> values);
  void init_window(uint64_t value_count);
  void init_match_table(uint64_t value_count);

  ModelParams p_;
  // Counters, indexed [context][decision].
  std::vector<Counter> tok_tp_, tok_pos_, tok_far_;
  std::vector<Counter> man_bf_;
  std::vector<Counter> sgn_s12_, sgn_far_, sgn_match_;
  std::vector<Counter> tok_base_;  // [base context][bf / 8][decision]
  std::vector<Counter> sgn_base_;  // [base context's fraction and sign][s1]
  std::vector<Counter> match_z_;  // [conf][z], shared by every threshold decision
  std::vector<Counter> exact_flag_;  // [conf][exact run]: "v is the prediction"
  // Mixer weight sets: [decision][match active][input].
  std::vector<int32_t> tok_w_, man_w_, sgn_w_;
  std::vector<int32_t> tok_bw_, sgn_bw_;  // with a base context: [decision][match active][input], [input]

  // Recent values: token | sign << 6 (0 zero, 1 positive, 2 negative).
  uint8_t hist_[kHist] = {};
  uint64_t avg_f_ = 0;  // mean magnitude, 4 fractional bits
  uint64_t index_ = 0;
  int pos_ = 0;  // index_ % period
  uint32_t mag_ = 0;
  bool neg_ = false;

  // Long lag: tokens and signs of the last kFar values, and their signs as bit sets (bit i % 64
  // of word (i / 64) % kSignWords: positive, nonzero).
  static constexpr uint32_t kSignWords = kFar / 64;
  std::vector<uint8_t> far_;
  uint64_t pos_bits_[kSignWords] = {}, nz_bits_[kSignWords] = {};
  uint32_t far_lag_ = 0;  // 0: off

  // Match model.
  // The values so far, where the caller keeps them (no copy): history_[j] for j < index_.
  const int32_t* history_ = nullptr;
  int32_t* record_ = nullptr;   // the decoder's output, written as values are decoded
  // How far back a match may reach: 2^min(bit_width(n), kRingBits), the size of the ring of
  // recent values that earlier versions kept (and so the same matches). 0: neither model on.
  uint64_t window_ = 0;
  // Hash of a sign window -> its check bits and flip << 32 | the position after it (mod 2^32).
  std::vector<uint64_t> table_;
  int table_shift_ = 0;
  uint64_t key_ = 0;            // signs of the last kMatchKey values, 2 bits each
  int nonzero_ = 0;             // nonzero values among them
  int64_t pending_slot_ = -1;   // table slot of the last window, looked up one value later
  uint32_t pending_check_ = 0;
  uint64_t ptr_ = 0;            // position of the reference value
  int len_ = 0;                 // confidence: sign agreements, 0 = no match
  int64_t sxy_ = 0, sxx_ = 0;   // decayed sums of value * reference and reference^2
  bool inverted_ = false;       // the gain before any sums: -1 rather than 1
  int exact_ = 0;               // predictions in a row that were exact (up to kExactRuns - 1)
  uint64_t err_ = 0;            // mean |m - pm|, 4 fractional bits
  // This value's prediction.
  int conf_ = 0;
  int32_t ref_ = 0;
  uint32_t pm_ = 0;             // predicted magnitude
  int pneg_ = 0;                // predicted sign: 0 none, 1 positive, 2 negative
  uint64_t recip_err_ = 0;      // 2^32 / the recent prediction error (in 4-bit fixed point: >> 4)

  // Short-repeat model (shares history_).
  std::vector<uint64_t> rep_table_;  // hash of kRepKey values -> check << 32 | the position after them (mod 2^32)
  std::vector<Counter> rep_flag_;    // [length][prediction's class]: "v is the prediction"
  int rep_shift_ = 0;
  int64_t rep_slot_ = -1;            // table slot of the last window, looked up one value later
  uint32_t rep_check_ = 0;
  uint64_t rep_ptr_ = 0;             // position of the predicted value
  int rep_len_ = -1;                 // -1: no match, else confirmed predictions (up to kRepLens - 1)
  int32_t rep_pred_ = 0;
  uint64_t rep_hash_ = 0;            // of the last kRepKey values
  Counter* rep_unflagged_ = nullptr;  // the flag's counter when the value was coded without it

  // Zero flag.
  std::vector<Counter> zero_flag_;   // [zeros among the last 8][token 0 at the period, at the long lag][centre]: "v is 0"
  uint32_t zero_mask_ = 0;           // bit k: the value k + 1 back was 0
  Counter* zero_unflagged_ = nullptr;
};

inline ValueModel::ValueModel(const ModelParams& p, uint64_t value_count, const int32_t* history, int32_t* record)
    : p_(p), history_(history), record_(record) {
  tok_tp_.assign(kHistTokens * (kBuckets / 4) * kTokIds, kCounterInit);
  tok_pos_.assign(p.period * (kBuckets / 2) * kTokIds, kCounterInit);
  tok_far_.assign(kHistTokens * (kBuckets / 4) * kTokIds, kCounterInit);
  if (p.base_context) {
    tok_base_.assign(kBaseContexts * (kBuckets / 8 + 1) * kTokIds, kCounterInit);
    sgn_base_.assign(kBaseSignContexts * 3, kCounterInit);
    tok_bw_.assign(kTokIds * 2 * (kTokK + 2), kW0);
    sgn_bw_.assign(2, kW0);
  }
  far_.assign(kFar, 0);
  man_bf_.assign(kBuckets * kManIds, kCounterInit);
  sgn_s12_.assign(9, kCounterInit);
  sgn_far_.assign(27, kCounterInit);
  sgn_match_.assign(kConf * 3, kCounterInit);
  match_z_.assign(kConf * kZ, kCounterInit);
  exact_flag_.assign(kConf * kExactRuns, kCounterInit);
  tok_w_.assign(kTokIds * 2 * (kTokK + 1), kW0);
  man_w_.assign(kManIds * 2 * (kManK + 1), kW0);
  sgn_w_.assign(kConf * (kSgnK + 1), kW0);
  if (p.match || p.repeat) init_window(value_count);
  if (p.repeat) {
    const int bits = std::clamp(static_cast<int>(std::bit_width(value_count)), 6, kRepTableBits);
    rep_table_.assign(size_t{1} << bits, 0);
    rep_shift_ = 64 - bits;
    rep_flag_.assign(kRepLens * kRepClasses, kCounterInit);
  }
  if (p.match) init_match_table(value_count);
  if (p.zero) zero_flag_.assign(kZeroContexts * kZeroCentres, kCounterInit);
}

inline ValueModel::ValueModel(MatchOnly, std::span<const int32_t> values) : history_(values.data()) {
  p_.match = true;
  p_.repeat = false;
  init_window(values.size());
  init_match_table(values.size());
}

inline void ValueModel::init_window(uint64_t value_count) {
  window_ = uint64_t{1} << std::clamp(static_cast<int>(std::bit_width(value_count)), 6, static_cast<int>(kRingBits));
}

inline void ValueModel::init_match_table(uint64_t value_count) {
  // Sized to the stream, so that small tensors do not pay for a large table; the hash table
  // at most 2^14 entries (128 KiB), looked up once per value: a larger one measured no better
  // and pushes the counters out of the cache.
  const int table_bits = std::clamp(static_cast<int>(std::bit_width(value_count)), 6, 14);
  table_.assign(size_t{1} << table_bits, 0);
  table_shift_ = 64 - table_bits;
}

// The match prediction for the value about to be coded.
inline void ValueModel::predict() {
  conf_ = 0;
  if (len_ == 0) return;
  ref_ = history_[ptr_];
  // gain = sxy / sxx in 16.16, clamped; the prediction is the reference times the gain.
  int64_t gain = inverted_ ? -65536 : 65536;
  if (sxx_ > 0) gain = std::clamp<int64_t>((sxy_ << 16) / sxx_, -(int64_t{1} << 24), int64_t{1} << 24);
  const int64_t r = std::clamp<int64_t>(ref_, -(int64_t{1} << 20), int64_t{1} << 20);
  const int64_t pred = r * gain / 65536;
  pm_ = static_cast<uint32_t>(pred < 0 ? -pred : pred);
  pneg_ = pred > 0 ? 1 : pred < 0 ? 2 : 0;
  conf_ = 1 + std::min(len_, 15) / 4;
  recip_err_ = (uint64_t{1} << 32) / std::max<uint64_t>(err_ >> 4, 1);
}

template <class Coder>
[[gnu::always_inline]] inline int ValueModel::token_decision(Coder& coder, int d, int y, Counter* const* rows, Counter* base) {
  // The decision is "m >= 2^k" for the k below (see code()). Its counters and weights sit at
  // 3k + kind: the decisions one value needs are neighbours in memory (two cache lines per row).
  const int k = d < 32 ? d : d < 64 ? d - 32 : d - 64;
  const int slot = 3 * k + (d >> 5);
  if (base) {  // one more input, the base context's: the mixer learns how much it says
    if (conf_ == 0) {
      Counter* const cs[kTokK + 1] = {rows[0] + slot, rows[1] + slot, base + slot};
      return mix_code<kTokK + 1>(coder, y, cs, &tok_bw_[(slot * 2) * (kTokK + 2)], kLr, kLimit);
    }
    Counter* const cs[kTokK + 2] = {rows[0] + slot, rows[1] + slot, base + slot, &match_z_[z_of(uint64_t{1} << k)]};
    return mix_code<kTokK + 2>(coder, y, cs, &tok_bw_[(slot * 2 + 1) * (kTokK + 2)], kLr, kLimit);
  }
  if (conf_ == 0) {
    Counter* const cs[kTokK] = {rows[0] + slot, rows[1] + slot};
    return mix_code<kTokK>(coder, y, cs, &tok_w_[(slot * 2) * (kTokK + 1)], kLr, kLimit);
  }
  Counter* const cs[kTokK + 1] = {rows[0] + slot, rows[1] + slot, &match_z_[z_of(uint64_t{1} << k)]};
  return mix_code<kTokK + 1>(coder, y, cs, &tok_w_[(slot * 2 + 1) * (kTokK + 1)], kLr, kLimit);
}

template <class Coder>
inline void ValueModel::code(Coder& coder, int32_t v, int bctx) {
  const uint32_t m_in = v < 0 ? 0u - static_cast<uint32_t>(v) : static_cast<uint32_t>(v);
  const int t_in = std::bit_width(m_in);
  predict();
  bool rep_missed = false;
  if (rep_len_ >= 0 && (rep_pred_ = history_[rep_ptr_]) != 0) {
    // Context: the length, and the prediction's class against the recent scale (a value far
    // above it is a chance hit less often).
    const uint32_t pa = rep_pred_ < 0 ? 0u - static_cast<uint32_t>(rep_pred_) : static_cast<uint32_t>(rep_pred_);
    const int centre = std::bit_width(std::min<uint64_t>(avg_f_ >> 4, 0xFFFFFFFFu));
    const int pc = std::clamp(static_cast<int>(std::bit_width(pa)) - centre + 1, 0, kRepClasses - 1);
    Counter& flag = rep_flag_[rep_len_ * kRepClasses + pc];
    // Coded only where the prediction is often right: a flag that misses costs its bits on
    // top of the value's. Below the gate the counter still learns, from the value once coded.
    if (counter_p16(flag) < kRepGate) {
      rep_unflagged_ = &flag;
    } else {
      const int hit = coder.bit(std::clamp<uint32_t>(counter_p16(flag), kPMin, 65536 - kPMin), v == rep_pred_);
      counter_update(flag, hit, kLimit);
      if (hit) {
        mag_ = pa;
        neg_ = rep_pred_ < 0;
        update(std::bit_width(mag_));
        return;
      }
      rep_missed = true;
    }
  }
  // An exact copy (or negation) costs one decision per value: after an exact prediction, first
  // "is v the prediction?", and if so nothing else (unless the short-repeat model has just
  // said that v is not that value).
  const int32_t pred = pneg_ == 2 ? static_cast<int32_t>(0u - pm_) : static_cast<int32_t>(pm_);
  if (conf_ > 0 && exact_ > 0 && !(rep_missed && rep_pred_ == pred)) {
    Counter& flag = exact_flag_[conf_ * kExactRuns + exact_];
    const int hit = coder.bit(std::clamp<uint32_t>(counter_p16(flag), kPMin, 65536 - kPMin), v == pred);
    counter_update(flag, hit, kLimit);
    if (hit) {
      mag_ = pm_;
      neg_ = pneg_ == 2;
      update(std::bit_width(pm_));
      return;
    }
  }

  const uint32_t i = static_cast<uint32_t>(index_);
  const uint8_t h1 = hist_[(i - 1) % kHist], h2 = hist_[(i - 2) % kHist];
  const uint8_t hp = hist_[(i - p_.period) % kHist];
  const int tp = std::min(hp & 63, kHistTokens - 1);
  const int bf = bucket_of(avg_f_);
  const uint8_t hq = far_lag_ ? far_[(i - far_lag_) % kFar] : 0;
  const uint8_t hq2 = far_lag_ ? far_[(i - 2 * far_lag_) % kFar] : 0;
  const int tq = std::min(hq & 63, kHistTokens - 1);

  // 1. Token. Decision ids: "t > j" (j = 0..31) is j, the first decision "t >= c" is
  // 32 + c - 1, "t == j" (j = 1..31, knowing t <= j) is 64 + j - 1. Each is "m >= 2^k" with
  // k = j, c - 1, j - 1 respectively.
  Counter* const rows[kTokK] = {&tok_tp_[(tp * (kBuckets / 4) + (bf >> 2)) * kTokIds],
                                far_lag_ ? &tok_far_[(tq * (kBuckets / 4) + (bf >> 2)) * kTokIds]
                                         : &tok_pos_[(pos_ * (kBuckets / 2) + (bf >> 1)) * kTokIds]};
  // A value with a base context: its row (with the coarse local scale) is one more input.
  Counter* const brow = bctx > 0 ? &tok_base_[(bctx * (kBuckets / 8 + 1) + (bf >> 3)) * kTokIds] : nullptr;
  const int c = std::bit_width(std::min<uint64_t>(avg_f_ >> 4, 0xFFFFFFFFu));
  // The counters this value most likely needs, fetched together rather than one decision
  // after another (the tables are larger than a level-2 cache): the token's decisions next to
  // the centre, and the mantissa's at the centre's class.
  for (Counter* row : rows) {
    __builtin_prefetch(row + 3 * std::max(c - 2, 0));
    __builtin_prefetch(row + 3 * std::max(c - 2, 0) + 16);
  }
  if (c > 0) {
    __builtin_prefetch(&man_bf_[bf * kManIds + (c - 1) * kNodes]);
  }
  int t;
  int lowest = 0;            // the smallest token still possible
  bool flagged_zero = false;  // the zero flag was coded and said 0
  if (p_.zero && bctx == 0 && c > 1 && (zero_mask_ & 255u) != 0) {
    const int zero_ctx = std::popcount(zero_mask_ & 255u) * 4 + (tp == 0) + (far_lag_ && tq == 0 ? 2 : 0);
    Counter& z = zero_flag_[zero_ctx * kZeroCentres + std::min(c, kZeroCentres + 1) - 2];
    if (counter_p16(z) < kZeroGate) {
      zero_unflagged_ = &z;
    } else {
      flagged_zero = coder.bit(std::clamp<uint32_t>(counter_p16(z), kPMin, 65536 - kPMin), t_in == 0);
      counter_update(z, flagged_zero, kLimit);
      lowest = flagged_zero ? 0 : 1;
    }
  }
  if (flagged_zero) {
    t = 0;
  } else if (c == 0 || token_decision(coder, 32 + c - 1, t_in >= c, rows, brow)) {
    t = c;
    while (t < 32 && token_decision(coder, t, t_in > t, rows, brow)) ++t;
  } else {
    t = c - 1;
    while (t > lowest && !token_decision(coder, 64 + t - 1, t_in == t, rows, brow)) --t;
  }

  uint32_t mag = 0;
  int neg = 0;
  if (t > 0) {
    // 2. Sign.
    const int s1 = h1 >> 6, s2 = h2 >> 6, sq = hq >> 6, sq2 = hq2 >> 6;
    if (conf_ == 0 && bctx > 0) {
      // Two counters mixed: the base context's sign and fraction, and the neighbours' signs.
      Counter* const cs[2] = {far_lag_ ? &sgn_far_[(sq * 3 + sq2) * 3 + s1] : &sgn_s12_[s1 * 3 + s2],
                              &sgn_base_[((bctx - 1) & (kBaseSignContexts - 1)) * 3 + s1]};
      neg = mix_code<2>(coder, v < 0, cs, sgn_bw_.data(), kLr, kLimit);
    } else if (conf_ == 0) {
      // One counter, no mixer: the long lag's signs while a lag is known, else the last two.
      Counter& c = far_lag_ ? sgn_far_[(sq * 3 + sq2) * 3 + s1] : sgn_s12_[s1 * 3 + s2];
      neg = coder.bit(std::clamp<uint32_t>(counter_p16(c), kPMin, 65536 - kPMin), v < 0);
      counter_update(c, neg, kLimit);
    } else {
      Counter* const cs[kSgnK + 1] = {&sgn_s12_[s1 * 3 + s2], &sgn_far_[(sq * 3 + sq2) * 3 + s1],
                                      &sgn_match_[conf_ * 3 + pneg_]};
      neg = mix_code<kSgnK + 1>(coder, v < 0, cs, &sgn_w_[conf_ * (kSgnK + 1)], kLr, kLimit);
    }

    // 3. Bits below the leading one. node = the leading one and the bits decided so far.
    const int e = t - 1;
    uint32_t node = 1;
    int b = 0;
    Counter* const mrow = &man_bf_[bf * kManIds + e * kNodes];
    for (; b < e; ++b) {
      const int y = (m_in >> (e - 1 - b)) & 1;
      // Past the modelled bits, every bit is still modelled while the match model is confident
      // (conf_ >= 2), however coarse its prediction: measured on Lc0 nets, this pays even
      // where the prediction error is far wider than the interval a bit splits.
      const bool extra = b >= p_.mantissa_bits;
      if (extra && conf_ < 2) break;
      const uint32_t id = extra ? (1u << p_.mantissa_bits) + std::min(b - p_.mantissa_bits, 3) : node;
      int bit;
      if (conf_ == 0) {
        Counter& cnt = mrow[id];
        const uint32_t pp = std::clamp<uint32_t>(counter_p16(cnt), kPMin, 65536 - kPMin);
        bit = coder.bit(pp, y);
        counter_update(cnt, bit, kLimit);
      } else {
        const uint64_t mid = (uint64_t{node} * 2 + 1) << (e - 1 - b);
        Counter* const cs[kManK + 1] = {mrow + id, &match_z_[z_of(mid)]};
        bit = mix_code<kManK + 1>(coder, y, cs, &man_w_[((e * kNodes + id) * 2 + 1) * (kManK + 1)], kLr, kLimit);
      }
      node = node * 2 + static_cast<uint32_t>(bit);
    }
    const int rest = e - b;
    const uint32_t low = coder.bits(rest > 0 ? m_in & ((uint32_t{1} << rest) - 1) : 0, rest);
    mag = rest > 0 ? (node << rest) | low : node;  // rest < 32: node >= 1 holds the leading one
  }
  mag_ = mag;
  neg_ = neg != 0;
  update(t);
}

inline void ValueModel::update(int t) {
  const uint32_t i = static_cast<uint32_t>(index_);
  const int sign = t == 0 ? 0 : neg_ ? 2 : 1;
  hist_[i % kHist] = static_cast<uint8_t>(t | sign << 6);
  zero_mask_ = zero_mask_ << 1 | (t == 0);
  if (zero_unflagged_) {
    counter_update(*zero_unflagged_, t == 0, kLimit);
    zero_unflagged_ = nullptr;
  }
  far_[i % kFar] = static_cast<uint8_t>(t | sign << 6);
  {
    const uint64_t bit = uint64_t{1} << (i % 64);
    uint64_t& pw = pos_bits_[(i / 64) % kSignWords];
    uint64_t& nw = nz_bits_[(i / 64) % kSignWords];
    if (i % 64 == 0) pw = nw = 0;
    pw |= sign == 1 ? bit : 0;
    nw |= sign != 0 ? bit : 0;
  }
  if (t < kOutlierToken) {
    const int64_t m_cap = std::min<uint32_t>(mag_, uint32_t{1} << 20);
    avg_f_ += ((m_cap << 4) - static_cast<int64_t>(avg_f_)) >> kFastShift;
  }
  if ((index_ + 1) % kLagEvery == 0) detect_lag();
  ++index_;
  if (++pos_ == p_.period) pos_ = 0;
  if (window_ == 0) return;

  const int32_t val = neg_ ? static_cast<int32_t>(0u - mag_) : static_cast<int32_t>(mag_);
  if (record_) record_[index_ - 1] = val;
  if (p_.repeat) update_repeat(val, i);
  if (p_.match) update_match(val, sign, i);
}

// The value at position i (val, sign as in hist_) was just recorded in the ring.
inline void ValueModel::update_match(int32_t val, int sign, uint32_t i) {
  follow_match(val, sign, i);
  nonzero_ += (sign != 0) - ((key_ >> (2 * kMatchKey - 2)) & 3 ? 1 : 0);
  key_ = next_sign_window(key_, sign);
  if (nonzero_ < kMatchMinNonzero) return;
  const SignWindowHash h = sign_window_hash(key_);
  pending_slot_ = static_cast<int64_t>(h.hash >> table_shift_);
  pending_check_ = h.check;
  __builtin_prefetch(&table_[pending_slot_]);
}

// The match that lasts goes on (or ends) with the value at position i; then the window before
// it is looked up and remembered in the table.
inline void ValueModel::follow_match(int32_t val, int sign, uint32_t i) {
  if (len_ > 0) {
    exact_ = mag_ == pm_ && sign == pneg_ ? std::min(exact_ + 1, kExactRuns - 1) : 0;
    // Follow the match while the predicted signs are right; a miss quarters the confidence.
    len_ = sign == pneg_ ? std::min(len_ + 1, 63) : len_ >> 2;
    const int64_t r = std::clamp<int64_t>(ref_, -(1 << 20), 1 << 20);
    const int64_t x = std::clamp<int64_t>(val, -(1 << 20), 1 << 20);
    sxy_ += x * r - (sxy_ >> kGainShift);
    sxx_ += r * r - (sxx_ >> kGainShift);
    const uint64_t miss = std::min<uint64_t>(mag_ > pm_ ? mag_ - pm_ : pm_ - mag_, uint64_t{1} << 24);
    err_ += (static_cast<int64_t>(miss << 4) - static_cast<int64_t>(err_)) >> kErrShift;
    ++ptr_;
  }
  // The table slot of the previous window was prefetched one value ago; look it up now (a
  // match found starts one value later than it could, which costs nothing measurable).
  if (pending_slot_ >= 0) {
    const uint64_t entry = table_[pending_slot_];
    if (len_ == 0 && window_matches(entry, pending_check_, i)) start_match(entry, pending_check_, i);
    table_[pending_slot_] = uint64_t{pending_check_} << 32 | i;
    pending_slot_ = -1;
  }
}

// Whether the table entry is the same window as the one with these check bits (up to the
// flip), less than window_ values before position i (the position after that window).
inline bool ValueModel::window_matches(uint64_t entry, uint32_t check, uint32_t i) const {
  const uint32_t distance = i - static_cast<uint32_t>(entry);
  return (entry >> 33) == (check >> 1) && distance > 0 && distance < window_;
}

// A match from that entry: the next value (index_; index_ - 1 is i) is predicted from the one
// after the entry's position.
inline void ValueModel::start_match(uint64_t entry, uint32_t check, uint32_t i) {
  ptr_ = index_ - (i - static_cast<uint32_t>(entry));
  len_ = 4;
  exact_ = 0;
  sxy_ = sxx_ = 0;
  // A window that matched only after negating one of the two predicts -reference.
  inverted_ = ((entry >> 32) & 1) != (check & 1);
  const int32_t r0 = history_[ptr_];
  err_ = static_cast<uint64_t>(r0 < 0 ? -static_cast<int64_t>(r0) : r0) << 3;  // half its size
}

// match_gain's steps while no match lasts (len_ == 0: nothing is predicted, only the windows
// are looked up and remembered), from position k until one starts a match (returns the
// position after it) or `end`. windows[j]: the window ending at position j (sign_windows).
inline size_t ValueModel::pass_unmatched(const uint64_t* windows, size_t k, size_t end) {
  // The state in locals: the table's stores could otherwise alias it.
  uint64_t* const table = table_.data();
  int64_t slot = pending_slot_;
  uint32_t check = pending_check_;
  uint64_t index = index_;
  for (; k < end; ++k) {
    const uint32_t i = static_cast<uint32_t>(index++);
    bool starts = false;
    if (slot >= 0) {
      const uint64_t entry = table[slot];
      starts = window_matches(entry, check, i);
      if (starts) {
        index_ = index;
        start_match(entry, check, i);
      }
      table[slot] = uint64_t{check} << 32 | i;
    }
    const uint64_t w = windows[k];
    slot = w == kNoSignWindow ? -1 : static_cast<int64_t>(w >> 32);
    check = static_cast<uint32_t>(w);
    if (slot >= 0) __builtin_prefetch(&table[slot]);
    if (starts) {
      ++k;
      break;
    }
  }
  pending_slot_ = slot;
  pending_check_ = check;
  index_ = index;
  return k;
}

// The value at position i (val) was just recorded in the ring.
inline void ValueModel::update_repeat(int32_t val, uint32_t i) {
  if (rep_unflagged_) {
    counter_update(*rep_unflagged_, val == rep_pred_, kLimit);
    rep_unflagged_ = nullptr;
  }
  if (rep_len_ >= 0) {
    if (val == rep_pred_) {
      rep_len_ = std::min(rep_len_ + 1, kRepLens - 1);
      ++rep_ptr_;
    } else {
      rep_len_ = -1;
    }
  }
  // The slot of the window before this value was prefetched one value ago: look it up now (a
  // match starts one value later than it could).
  if (rep_slot_ >= 0) {
    const uint64_t entry = rep_table_[rep_slot_];
    const uint32_t found = static_cast<uint32_t>(entry);  // where the value after that window was
    const uint32_t distance = i - found;
    // The value after the window there must be this one (so a match is of kRepKey + 1 values).
    if (rep_len_ < 0 && (entry >> 32) == rep_check_ && distance > 0 && distance < window_ &&
        history_[index_ - 1 - distance] == val) {
      rep_ptr_ = index_ - distance;  // the position after `found` (index_ - 1 is i)
      rep_len_ = 0;
    }
    rep_table_[rep_slot_] = uint64_t{rep_check_} << 32 | i;
  }
  // A rolling hash of the last kRepKey values: the newest added, the one kRepKey back (0
  // before the stream has that many) taken out.
  constexpr uint64_t kMul = 0x9E3779B97F4A7C15ull;
  constexpr uint64_t kMulPow = [] {
    uint64_t m = 1;
    for (int k = 0; k < kRepKey; ++k) m *= kMul;
    return m;
  }();
  const uint32_t oldest = index_ > kRepKey ? static_cast<uint32_t>(history_[index_ - 1 - kRepKey]) : 0;
  rep_hash_ = rep_hash_ * kMul + static_cast<uint32_t>(val) - oldest * kMulPow;
  if (i + 1 < kRepKey) return;
  uint64_t h = rep_hash_ ^ (rep_hash_ >> 29);
  h *= 0xBF58476D1CE4E5B9ull;
  rep_slot_ = static_cast<int64_t>(h >> rep_shift_);
  rep_check_ = static_cast<uint32_t>(h) | 1u;  // nonzero: 0 marks an empty slot
  __builtin_prefetch(&rep_table_[rep_slot_]);
}

// log2(x) in 1/16 units for x >= 1, from the leading bit and the 4 bits below it (integer
// only, so that the encoder's choice is the same on every machine).
inline int64_t log2_q4(uint64_t x) {
  const int lead = 63 - __builtin_clzll(x);  // x >= 1
  const uint64_t frac = lead >= 4 ? (x >> (lead - 4)) & 15 : (x << (4 - lead)) & 15;
  return int64_t{lead} * 16 + static_cast<int64_t>(frac);
}

inline int64_t ValueModel::match_gain(std::span<const int32_t> values, int64_t stop_at) {
  ValueModel m(MatchOnly{}, values);
  // The windows a block at a time (sign_windows.h: the same as update_match hashes), then the
  // model's steps with them.
  constexpr size_t kBlock = 4096;  // values between two tests of stop_at
  std::vector<uint64_t> windows(std::min(kBlock, values.size()));
  int64_t gain = 0;
  for (size_t from = 0; from < values.size(); from += kBlock) {
    const size_t to = std::min(values.size(), from + kBlock);
    sign_windows(values, from, to, m.table_shift_, windows.data());
    for (size_t k = from; k < to;) {
      if (m.len_ == 0) {
        k = from + m.pass_unmatched(windows.data(), k - from, to - from);
        continue;
      }
      const int32_t v = values[k];
      const uint32_t mag = lcz::magnitude(v);
      m.predict();
      if (m.conf_ > 0) {
        const int64_t pred = m.pneg_ == 2 ? -static_cast<int64_t>(m.pm_) : static_cast<int64_t>(m.pm_);
        const int64_t miss = v > pred ? int64_t{v} - pred : pred - int64_t{v};
        gain += log2_q4(uint64_t{mag} + 1) - log2_q4(static_cast<uint64_t>(miss) + 1);
      }
      const uint32_t i = static_cast<uint32_t>(m.index_++);
      m.mag_ = mag;
      m.neg_ = v < 0;
      m.follow_match(v, v == 0 ? 0 : v < 0 ? 2 : 1, i);
      const uint64_t w = windows[k - from];
      if (w != kNoSignWindow) {
        m.pending_slot_ = static_cast<int64_t>(w >> 32);
        m.pending_check_ = static_cast<uint32_t>(w);
        __builtin_prefetch(&m.table_[m.pending_slot_]);
      }
      ++k;
    }
    if (to - from == kBlock && gain >= stop_at) break;
  }
  return gain;
}

// Called with the value at index_ just recorded: searches the last kFar values' signs
// (lag_search.h).
// Out of line: it runs once per kLagEvery values, and inlined into the coding loops its arrays
// slowed them (measured 4 % on the encoder).
[[gnu::noinline]] inline void ValueModel::detect_lag() {
  const uint64_t end = index_ + 1;  // a multiple of 64, and >= kFar
  // The last kFar values in order: word j holds values end - kFar + 64 j .. + 63.
  uint64_t pos[kSignWords], nz[kSignWords];
  for (uint32_t j = 0; j < kSignWords; ++j) {
    const uint64_t q = ((end - kFar) / 64 + j) % kSignWords;
    pos[j] = pos_bits_[q];
    nz[j] = nz_bits_[q];
  }
  far_lag_ = find_sign_lag(pos, nz, int64_t{kLagZ2} * 64);
}

}  // namespace lcz::cm
