#include "codecs/quantize/linear16.h"

namespace lcz {

const char* linear16_decoder_name(Linear16Decoder decoder) {
  switch (decoder) {
    case Linear16Decoder::release: return "v0.31 t*(max-min)+min";
    case Linear16Decoder::release_fma: return "v0.31 fma(t,max-min,min)";
    case Linear16Decoder::dev: return "v0.33 min*(1-t)+max*t";
    case Linear16Decoder::dev_fma_max: return "v0.33 fma(max,t,min*(1-t))";
    case Linear16Decoder::dev_fma_min: return "v0.33 fma(min,1-t,max*t)";
  }
  return "?";
}

const char* lc0_linear16_decoders_text() {
  return "v0.31 t*(max-min)+min, v0.31 fma(t,max-min,min), v0.33 min*(1-t)+max*t, v0.33 fma(max,t,min*(1-t)), "
         "v0.33 fma(min,1-t,max*t) (t = u/65535, float32)";
}

}  // namespace lcz
