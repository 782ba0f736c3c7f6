#include "codecs/backend/store.h"

namespace lcz {
namespace {

constexpr const char* kName = "store";

class Store final : public TypedStage<Bytes, Bytes> {
 public:
  explicit Store(uint64_t max_decoded) : max_decoded_(max_decoded) {}

 protected:
  Bytes encode_typed(const Bytes& in) const override { return in; }
  Bytes decode_typed(const Bytes& in) const override {
    if (in.size() > max_decoded_)
      throw_corrupt(kName, 0, std::to_string(in.size()) + " bytes exceed max_decoded_bytes (" +
                                  std::to_string(max_decoded_) + ")");
    return in;
  }

 private:
  uint64_t max_decoded_;
};

}  // namespace

StageDescriptor store_stage() {
  return {.name = kName,
          .kind = StageKind::backend,
          .input = StreamType::bytes,
          .output = StreamType::bytes,
          .doc = "no compression: copies the bytes (baseline)",
          .params = {},
          .library_version = {},
          .make = [](const Params&, const StageContext& ctx) { return std::make_unique<Store>(ctx.max_decoded_bytes); }};
}

}  // namespace lcz
