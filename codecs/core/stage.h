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

  // A quantizer may code f32 values against a base: values the decoder also has, one per
  // input value (the same tensors of an earlier net). It codes the difference of integers
  // (its own for the value, the one it would give the base), so the decoded values are
  // exactly those of encode(in): the base changes the size, never the error. Decoding needs
  // the same base. Other stages throw lcz::Error(codec).
  virtual bool codes_against_base() const { return false; }
  virtual Stream encode_against(const Stream& in, std::span<const float> base) const;
  virtual Stream decode_against(const Stream& in, std::span<const float> base) const;

  // For a quantizer run on one tensor: the lattice its coded output `coded` (what decode
  // takes) says the tensor was coded on, read from the stream's header; nullopt when none
  // (values rounded to multiples of a step, or a stage that has no lattice).
  virtual std::optional<CodedLattice> coded_lattice(const Stream& coded) const {
    (void)coded;
    return std::nullopt;
  }
};

// Base for a stage with one input and one output type: the variant plumbing lives here.
template <class In, class Out>
class TypedStage : public Stage {
 public:
  Stream encode(const Stream& in) const final { return encode_typed(get<In>(in)); }
  Stream decode(const Stream& in) const final { return decode_typed(get<Out>(in)); }
  Stream encode_against(const Stream& in, std::span<const float> base) const final {
    if (!codes_against_base()) return Stage::encode_against(in, base);
    return encode_against_typed(get<In>(in), base);
  }
  Stream decode_against(const Stream& in, std::span<const float> base) const final {
    if (!codes_against_base()) return Stage::decode_against(in, base);
    return decode_against_typed(get<Out>(in), base);
  }

 protected:
  virtual Out encode_typed(const In& in) const = 0;
  virtual In decode_typed(const Out& in) const = 0;
  // Overridden, with codes_against_base(), by stages that take a base.
  virtual Out encode_against_typed(const In& in, std::span<const float>) const { return encode_typed(in); }
  virtual In decode_against_typed(const Out& in, std::span<const float>) const { return decode_typed(in); }

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
