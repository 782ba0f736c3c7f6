// The Stage interface: one encode and one decode that are exact inverses
// (quantize: within the tolerance). A StageDescriptor says what a stage is; the registry in
// codecs/stages.cpp lists one descriptor per stage.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "codecs/core/error.h"
#include "codecs/core/params.h"
#include "codecs/core/stream.h"

namespace lcz {

// What a pipeline knows that is not a stage parameter.
struct StageContext {
  double tolerance = 0x1p-17;                    // absolute error bound of the whole pipeline
  uint64_t max_decoded_bytes = uint64_t{1} << 32;  // decoders refuse to produce more than this
};

// A tensor's counterpart in a base net (an earlier version the decoder also has), as the
// first stage sees it: its values, one per input value, and the tensor's shape where known
// (dims whose product is the value count; empty: none), from which a quantizer takes the
// channel structure it may fit a prediction to.
struct BaseTensor {
  std::span<const float> values;
  std::span<const uint32_t> shape;
  BaseTensor(std::span<const float> v, std::span<const uint32_t> s = {}) : values(v), shape(s) {}
};

// The lattice a quantizer coded one tensor on, as its stream's header records it: every
// step-th level of the 16-bit linear grid min_val + u / 65535 * (max_val - min_val). A format
// whose files store such grids (Lc0 LINEAR16) writes the tensor on it rather than fitting one.
struct CodedLattice {
  float min_val = 0, max_val = 0;
  int32_t step = 1;
};

class Stage {
 public:
  virtual ~Stage() = default;
  // Both throw lcz::Error (kind codec) when they cannot do their work; they never trust their input.
  virtual Stream encode(const Stream& in) const = 0;
  virtual Stream decode(const Stream& in) const = 0;

  // A quantizer may code f32 values against a base. It codes its integers given the base
  // (alone, as the difference from the base's integers, or from a prediction it fits to the
  // base), so the decoded values are exactly those of encode(in): the base changes the size,
  // never the error. What it chose and fitted goes to `side`, its own record, which the
  // pipeline stores ahead of the coded values; decoding needs the same base and that record.
  // An empty side record is format 1.0's coding against a base (the integers minus the
  // base's, no record), which decode_against still reads. Other stages throw lcz::Error(codec).
  virtual bool codes_against_base() const { return false; }
  virtual Stream encode_against(const Stream& in, const BaseTensor& base, Bytes& side) const;
  virtual Stream decode_against(const Stream& in, const BaseTensor& base, std::span<const uint8_t> side) const;
  // One context byte per base value (0: none), from the base and the side record alone, so
  // that encoder and decoder derive it alike before any value is coded: what an entropy
  // coder that takes a context codes the quantizer's values in. Nothing of it is stored.
  virtual void base_context(const BaseTensor& base, std::span<const uint8_t> side, uint8_t* out) const;
  // Whether a side record says the values were coded from the base (not alone).
  virtual bool side_uses_base(std::span<const uint8_t> side) const { return !side.empty(); }

  // An entropy coder may code its input in a context: one byte per element of the input's
  // last context.size() elements (the ones before it have none). Decoding needs the same
  // context. Coders without it code as encode/decode do; given an empty context, so do all.
  virtual bool takes_context() const { return false; }
  virtual Stream encode_in_context(const Stream& in, std::span<const uint8_t> context) const;
  virtual Stream decode_in_context(const Stream& in, std::span<const uint8_t> context) const;

  // For a quantizer run on one tensor: the lattice its coded output `coded` (what decode
  // takes) says the tensor was coded on, read from the stream's header (against a base: from
  // its side record `side`); nullopt when none (values rounded to multiples of a step, or a
  // stage that has no lattice).
  virtual std::optional<CodedLattice> coded_lattice(const Stream& coded, std::span<const uint8_t> side) const {
    (void)coded, (void)side;
    return std::nullopt;
  }
};

// Base for a stage with one input and one output type: the variant plumbing lives here.
template <class In, class Out>
class TypedStage : public Stage {
 public:
  Stream encode(const Stream& in) const final { return encode_typed(get<In>(in)); }
  Stream decode(const Stream& in) const final { return decode_typed(get<Out>(in)); }
  Stream encode_against(const Stream& in, const BaseTensor& base, Bytes& side) const final {
    if (!codes_against_base()) return Stage::encode_against(in, base, side);
    return encode_against_typed(get<In>(in), base, side);
  }
  Stream decode_against(const Stream& in, const BaseTensor& base, std::span<const uint8_t> side) const final {
    if (!codes_against_base()) return Stage::decode_against(in, base, side);
    return decode_against_typed(get<Out>(in), base, side);
  }
  Stream encode_in_context(const Stream& in, std::span<const uint8_t> context) const final {
    if (!takes_context() || context.empty()) return encode(in);
    return encode_in_context_typed(get<In>(in), context);
  }
  Stream decode_in_context(const Stream& in, std::span<const uint8_t> context) const final {
    if (!takes_context() || context.empty()) return decode(in);
    return decode_in_context_typed(get<Out>(in), context);
  }

 protected:
  virtual Out encode_typed(const In& in) const = 0;
  virtual In decode_typed(const Out& in) const = 0;
  // Overridden, with codes_against_base(), by stages that take a base.
  virtual Out encode_against_typed(const In& in, const BaseTensor&, Bytes&) const { return encode_typed(in); }
  virtual In decode_against_typed(const Out& in, const BaseTensor&, std::span<const uint8_t>) const { return decode_typed(in); }
  // Overridden, with takes_context(), by coders that take a context.
  virtual Out encode_in_context_typed(const In& in, std::span<const uint8_t>) const { return encode_typed(in); }
  virtual In decode_in_context_typed(const Out& in, std::span<const uint8_t>) const { return decode_typed(in); }

 private:
  template <class T>
  static const T& get(const Stream& s) {
    if (const T* p = std::get_if<T>(&s)) return *p;
    throw Error(ErrorKind::codec, std::string("stage given a ") + type_name(type_of(s)) + " stream, expected " +
                                      type_name(stream_type_of<T>()));
  }
};

enum class StageKind { quantize, transform, backend, entropy };
const char* stage_kind_name(StageKind k);

struct StageDescriptor {
  std::string name;                   // as written in configs: "zigzag", "bzip2"
  StageKind kind;
  StreamType input, output;
  std::string doc;                    // one line
  std::vector<ParamSpec> params;
  std::function<std::string()> library_version;  // backends: "libbz2 1.0.8"; empty for own code
  std::function<std::unique_ptr<Stage>(const Params&, const StageContext&)> make;
};

}  // namespace lcz
