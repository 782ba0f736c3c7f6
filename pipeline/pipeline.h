// A pipeline: stages built from a validated spec. encode runs them forward from f32 to
// bytes, decode runs their inverses backwards. Tensors are coded whole ("net": all tensors
// concatenated in order, as the seed does) or one by one ("tensor": each tensor's bytes
// framed by a varint length, counted in the size). With tensor_stages = N, a net pipeline
// runs its first N stages per tensor and the rest on the concatenation; a header of one
// varint per tensor (zigzag of output count - weight count) lets the decoder split the
// middle stream again. Decoding needs the bytes and the layout (names, shapes, counts),
// never the original values.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <span>
#include <vector>

#include "codecs/core/stage.h"
#include "nets/net.h"
#include "pipeline/spec.h"

namespace lcz {

class Pipeline {
 public:
  Pipeline(const PipelineSpec& spec, const StageContext& context);

  // One stream of weights through every stage and back.
  Bytes encode(const F32& weights) const;
  F32 decode(const Bytes& bytes) const;

  // Consecutive tensors of a net as one byte string, and back: decode_tensors gives one
  // value vector per layout entry, each of the entry's count, or throws lcz::Error(codec).
  // With `bases` (one per tensor, each of the tensor's length, with its shape where known),
  // the first stage codes each tensor against its base (Stage::encode_against): its side
  // record is stored before the coded values (a varint length and the bytes, per tensor), and
  // when the next stage is an entropy coder that takes a context, the first stage's
  // base_context of every value is given to it (nothing of it stored). Decoding needs the
  // same bases. Without bases the bytes are those of a pipeline that never heard of them.
  // With `lattices`, decode_tensors fills one entry per layout entry: the lattice the first
  // stage says it coded that tensor on (Stage::coded_lattice), when it ran on the tensor alone
  // (granularity "tensor" or tensor_stages); nullopt otherwise.
  using Bases = std::vector<BaseTensor>;
  using Values = std::vector<std::span<const float>>;  // one span per tensor (or piece of one)
  Bytes encode_tensors(std::span<const Tensor> tensors, const Bases* bases = nullptr) const;
  // `used_base`, when given, receives how many tensors the first stage coded using their base
  // (Stage::side_uses_base): 0 means the bases bought nothing but the coder's context.
  Bytes encode_values(const Values& tensors, const Bases* bases = nullptr, size_t* used_base = nullptr) const;
  using Lattices = std::vector<std::optional<CodedLattice>>;
  // How a payload coded with bases is laid out: `given` as encode_tensors writes it (side
  // records, base contexts); `residual_1_0` as format 1.0 wrote it (no side records, no
  // contexts: the first stage's integers minus the base's).
  enum class BaseFraming { given, residual_1_0 };
  std::vector<F32> decode_tensors(std::span<const uint8_t> bytes, std::span<const TensorLayout> layout,
                                  const Bases* bases = nullptr, Lattices* lattices = nullptr,
                                  BaseFraming framing = BaseFraming::given) const;
  // Whether the first stage can code against a base.
  bool codes_against_base() const { return stages_.front()->codes_against_base(); }

  Bytes encode_net(const Net& net) const { return encode_tensors(net.tensors); }
  Net decode_net(std::span<const uint8_t> bytes, const NetLayout& layout) const;

  // For timing the codec's work alone: true when encode_tensors() (without bases) is encode()
  // of all tensors concatenated and decode_tensors() splits decode(), so a caller can
  // concatenate once, outside its timed region. Otherwise encode_tensors()/decode_tensors() are the codec's
  // work (the per-tensor framing is part of the format).
  bool codes_one_stream() const { return spec_.granularity == Granularity::net && spec_.tensor_stages == 0; }

  const PipelineSpec& spec() const { return spec_; }
  const StageContext& context() const { return context_; }

  // Names weight k of an encode's input in a refusal: "tensor input.weights, weight 7 (9.5)".
  using WeightName = std::function<std::string(uint64_t)>;

 private:
  // names: one per tensor of `tensors` (or empty: "tensor #i"), for refusals.
  Bytes encode_named(const Values& tensors, const Bases* bases, std::span<const std::string> names,
                     size_t* used_base = nullptr) const;
  // Stages [first, last); a base (when given) goes to stage 0, which writes its side record
  // to `side` (decoding: reads it from there). `context`, when not empty, goes to stage 1;
  // when it is empty and the range runs stage 0 against a base and then stage 1, stage 1 gets
  // stage 0's base_context. With `weight`, a stage's refusal of element k, while the count
  // is still the input's, names weight(k).
  Stream encode_range(Stream s, size_t first, size_t last, const BaseTensor* base, Bytes* side,
                      std::span<const uint8_t> context, const WeightName& weight = {}) const;
  Stream decode_range(Stream s, size_t first, size_t last, const BaseTensor* base, std::span<const uint8_t> side,
                      std::span<const uint8_t> context) const;
  // Whether stage 1 codes in the base context of stage 0 (a base given, and it takes one).
  bool context_to_stage1() const { return stages_.size() > 1 && stages_[1]->takes_context(); }
  // `header` elements without a context, then stage 0's base_context of the base's values.
  // A quantizer's header is a few values (grid: at most 4); decode_split refuses a stream that
  // claims more, with its offset, before the context is sized by it (the encoder's own headers
  // are checked by the closed-loop decode).
  static constexpr size_t kMaxContextHeader = 64;
  void append_context(std::vector<uint8_t>& context, size_t header, const BaseTensor& base,
                      std::span<const uint8_t> side) const;
  Bytes encode_split(const Values& tensors, const Bases* bases, std::span<const std::string> names, size_t* used_base) const;
  std::vector<F32> decode_split(std::span<const uint8_t> bytes, std::span<const TensorLayout> layout,
                                const Bases* bases, Lattices* lattices, BaseFraming framing) const;
  // Stages [0, last) of one tensor's stream (against `base` with its side record; `context`
  // for stage 1 as in decode_range), noting the first stage's lattice in *lattice.
  Stream decode_tensor(Stream s, size_t last, const BaseTensor* base, std::span<const uint8_t> side,
                       std::span<const uint8_t> context, std::optional<CodedLattice>* lattice) const;
  std::string where() const { return "pipeline '" + spec_.name + "'"; }

  PipelineSpec spec_;
  StageContext context_;
  std::vector<std::unique_ptr<Stage>> stages_;
};

// The decoded net: the layout's names, shapes and encodings with the decoded values.
Net assemble_net(const NetLayout& layout, std::vector<F32> values);

}  // namespace lcz
