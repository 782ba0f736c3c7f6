// The cm encoder: header, then every value through the shared model (value_model.h).
#include <memory>

#include "codecs/core/byte_io.h"
#include "codecs/entropy/cm/arith_encoder.h"
#include "codecs/entropy/cm/format.h"

namespace lcz::cm {

Bytes encode(const I32& values, const ModelParams& params) {
  Bytes out;
  ByteWriter w(out);
  w.u8(kFormatVersion);
  w.u8(static_cast<uint8_t>(params.mantissa_bits | (params.match ? 4 : 0)));
  w.u8(static_cast<uint8_t>(params.period));
  w.varint(values.size());
  if (values.empty()) return out;
  out.reserve(out.size() + values.size() + 64);
  auto model = std::make_unique<ValueModel>(params, values.size());
  ArithEncoder coder(out);
  for (int32_t v : values) model->code(coder, v);
  coder.finish();
  return out;
}

}  // namespace lcz::cm
