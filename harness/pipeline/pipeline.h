// A pipeline: stages built from a validated spec. encode runs them forward from f32 to
// bytes, decode runs their inverses backwards. Nets are coded whole ("net": all tensors
// concatenated in file order, as the seed does) or tensor by tensor ("tensor": each
// tensor's bytes framed by a varint length, counted in the size). With tensor_stages = N,
// a net pipeline runs its first N stages per tensor and the rest on the concatenation; a
// header of one varint per tensor (zigzag of output count - weight count) lets the decoder
// split the middle stream again.
#pragma once
#include <memory>
#include <vector>

#include "codecs/core/stage.h"
#include "harness/nets/net.h"
#include "harness/pipeline/config.h"

namespace lcz {

class Pipeline {
 public:
  Pipeline(const PipelineSpec& spec, const StageContext& context);

  Bytes encode(const F32& weights) const;
  F32 decode(const Bytes& bytes) const;

  // The whole net as one byte string; decode_net gives back tensors of the same names and
  // shapes as `layout` (the net's structure is known to both sides, its values are not).
  Bytes encode_net(const Net& net) const;
  Net decode_net(const Bytes& bytes, const Net& layout) const;

  const PipelineSpec& spec() const { return spec_; }

 private:
  Stream encode_range(Stream s, size_t first, size_t last) const;
  Stream decode_range(Stream s, size_t first, size_t last) const;
  Bytes encode_split(const Net& net) const;
  Net decode_split(const Bytes& bytes, const Net& layout) const;

  PipelineSpec spec_;
  std::vector<std::unique_ptr<Stage>> stages_;
};

}  // namespace lcz
