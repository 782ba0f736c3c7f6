#include "container/container.h"

#include <xxhash.h>

#include <bit>
#include <cmath>

#include "codecs/core/byte_io.h"
#include "codecs/core/error.h"
#include "codecs/core/registry.h"

namespace lcz {
namespace {

// Field sizes that bound what a header can claim before anything is allocated.
constexpr uint64_t kMaxNameBytes = 4096;
constexpr uint64_t kMaxRank = 16;
constexpr uint64_t kMaxTensorElements = uint64_t{1} << 36;  // 256 GiB of float32 in one tensor
constexpr size_t kPreambleBytes = 8 + 2 + 2 + 8;          // magic, major, minor, header length

constexpr uint64_t kMaxHeaderFieldBytes = uint64_t{1} << 30;
constexpr uint8_t kHeaderStored = 0, kHeaderZstd = 1;
constexpr uint8_t kSameAsSource = 255;

uint8_t kind_code(SourceEncoding::Kind k) { return static_cast<uint8_t>(k); }

// The registered zstd stage codes the header fields; max_fields bounds what it may decode.
std::unique_ptr<Stage> header_coder(uint64_t max_fields) {
  const StageDescriptor* d = find_stage("zstd");
  if (!d) throw Error(ErrorKind::codec, "the zstd stage is not registered");
  return d->make(validate_params(d->params, nlohmann::json{{"level", 19}}, "container header"),
                 StageContext{.max_decoded_bytes = max_fields});
}

void write_string(ByteWriter& w, const std::string& s) {
  w.varint(s.size());
  w.bytes(std::span(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}

void write_encoding(ByteWriter& w, const SourceEncoding& e) {
  w.u8(kind_code(e.kind));
  w.u32le(std::bit_cast<uint32_t>(e.min_val));
  w.u32le(std::bit_cast<uint32_t>(e.max_val));
}

class HeaderReader {
 public:
  HeaderReader(std::span<const uint8_t> fields, const std::string& source)
      : r_(fields, source + ": header fields", ErrorKind::input) {}

  std::string string(uint64_t limit, const char* what) {
    const uint64_t n = r_.count(std::min<uint64_t>(limit, r_.remaining()), what);
    auto b = r_.bytes(n);
    return std::string(b.begin(), b.end());
  }
  SourceEncoding encoding(const char* what) { return encoding_of_kind(r_.offset(), r_.u8(), what); }
  // An output encoding: kSameAsSource, or an encoding of its own.
  SourceEncoding output_encoding(const SourceEncoding& source) {
    const size_t at = r_.offset();
    const uint8_t k = r_.u8();
    return k == kSameAsSource ? source : encoding_of_kind(at, k, "output encoding");
  }
  ByteReader& r() { return r_; }
  [[noreturn]] void fail(size_t offset, const std::string& message) { r_.fail(offset, message); }

 private:
  SourceEncoding encoding_of_kind(size_t at, uint8_t k, const char* what) {
    if (k > kind_code(SourceEncoding::Kind::float32)) fail(at, std::string(what) + " kind " + std::to_string(k) + " is unknown");
    SourceEncoding e;
    e.kind = static_cast<SourceEncoding::Kind>(k);
    e.min_val = std::bit_cast<float>(r_.u32le());
    e.max_val = std::bit_cast<float>(r_.u32le());
    if (e.kind == SourceEncoding::Kind::linear16 &&
        !(std::isfinite(e.min_val) && std::isfinite(e.max_val) && e.min_val <= e.max_val))
      fail(at, std::string(what) + ": LINEAR16 range [" + std::to_string(e.min_val) + ", " +
                   std::to_string(e.max_val) + "] is not a finite, ordered range");
    return e;
  }

  ByteReader r_;
};

}  // namespace

const char* source_format_name(SourceFormat f) {
  const NetFileFormat* format = find_format(f);
  return format ? format->name.c_str() : "?";
}

std::vector<TensorPiece> pieces_of(const NetLayout& layout, uint64_t first, uint64_t count) {
  std::vector<TensorPiece> pieces;
  uint64_t start = 0;  // of tensor i in the net's weights
  for (size_t i = 0; i < layout.tensors.size() && count > 0; ++i) {
    const uint64_t n = layout.tensors[i].count;
    if (first < start + n) {
      const uint64_t begin = first - start, take = std::min(n - begin, count);
      pieces.push_back({i, begin, begin + take});
      first += take;
      count -= take;
    }
    start += n;
  }
  if (count > 0) throw Error(ErrorKind::codec, "pieces_of: the range runs past the net's weights");
  return pieces;
}

uint64_t xxh64(std::span<const uint8_t> bytes) { return XXH64(bytes.data(), bytes.size(), 0); }

uint64_t payload_checksum(std::span<const uint8_t> payload, size_t chunk, uint64_t first_weight, uint16_t minor) {
  if (minor == 0) return xxh64(payload);  // version 1.0: the payload alone
  Bytes place;
  ByteWriter w(place);
  w.u64le(chunk);
  w.u64le(first_weight);
  XXH64_state_t* state = XXH64_createState();
  if (!state) throw std::bad_alloc();
  XXH64_reset(state, 0);
  XXH64_update(state, place.data(), place.size());
  XXH64_update(state, payload.data(), payload.size());
  const uint64_t h = XXH64_digest(state);
  XXH64_freeState(state);
  return h;
}

uint64_t xxh64_of_values(std::span<const F32> tensors) {
  static_assert(std::endian::native == std::endian::little, "the checksum is over little-endian float32");
  XXH64_state_t* state = XXH64_createState();
  if (!state) throw std::bad_alloc();
  XXH64_reset(state, 0);
  for (const F32& t : tensors) XXH64_update(state, t.data(), t.size() * sizeof(float));
  const uint64_t h = XXH64_digest(state);
  XXH64_freeState(state);
  return h;
}

NetLayout ContainerHeader::layout() const {
  NetLayout layout{.format = source_format_name(source_format), .tensors = {}};
  layout.tensors.reserve(tensors.size());
  for (const auto& t : tensors) layout.tensors.push_back(t.layout);
  return layout;
}

uint64_t ContainerHeader::weight_count() const {
  uint64_t n = 0;
  for (const auto& t : tensors) n += t.layout.count;
  return n;
}

Bytes write_container(ContainerHeader header, std::vector<Bytes> payloads, bool keep_payload_checksums) {
  if (payloads.size() != header.chunks.size())
    throw Error(ErrorKind::codec, "container writer: " + std::to_string(payloads.size()) + " payloads for " +
                                      std::to_string(header.chunks.size()) + " chunks");
  Bytes fields;
  ByteWriter h(fields);
  write_string(h, header.pipeline.dump());
  h.u64le(std::bit_cast<uint64_t>(header.tolerance));
  h.u8(static_cast<uint8_t>(header.source_format));
  write_string(h, header.source_name);
  h.u8(header.base_sha256 ? 1 : 0);
  if (header.base_sha256) h.bytes(*header.base_sha256);
  h.varint(header.chunk_weights);
  write_string(h, header.skeleton);
  h.varint(header.tensors.size());
  for (const auto& t : header.tensors) {
    write_string(h, t.layout.name);
    h.varint(t.layout.shape.size());
    for (uint32_t d : t.layout.shape) h.varint(d);
    h.varint(t.layout.count);
    write_encoding(h, t.layout.source);
    if (same_encoding(t.output, t.layout.source)) {
      h.u8(kSameAsSource);
    } else {
      write_encoding(h, t.output);
    }
  }
  h.varint(header.chunks.size());
  uint64_t first_weight = 0;
  for (size_t i = 0; i < header.chunks.size(); ++i) {
    const auto& c = header.chunks[i];
    h.varint(c.weight_count);
    h.u8(static_cast<uint8_t>(c.mode));
    h.varint(payloads[i].size());
    h.u64le(keep_payload_checksums ? c.payload_xxh64 : payload_checksum(payloads[i], i, first_weight, header.minor));
    h.u64le(c.values_xxh64);
    first_weight += c.weight_count;
  }
  // Names, dims and the skeleton repeat a lot: the header is coded when that makes it smaller.
  const Bytes coded = std::get<Bytes>(header_coder(fields.size())->encode(fields));
  const bool use_coded = coded.size() < fields.size();

  Bytes file;
  uint64_t payload_bytes = 0;
  for (const auto& p : payloads) payload_bytes += p.size();
  file.reserve(kPreambleBytes + 16 + std::min(fields.size(), coded.size()) + 8 + payload_bytes);
  ByteWriter w(file);
  w.bytes(kContainerMagic);
  w.u16le(header.major);
  w.u16le(header.minor);
  Bytes section;
  ByteWriter hs(section);
  hs.u8(use_coded ? kHeaderZstd : kHeaderStored);
  hs.varint(fields.size());
  hs.bytes(use_coded ? coded : fields);
  w.u64le(section.size());
  w.bytes(section);
  w.u64le(xxh64(file));
  for (auto& p : payloads) {
    w.bytes(p);
    Bytes().swap(p);
  }
  return file;
}

namespace {

// Phase 1: magic, version, header length and the header checksum. Returns where the checksum
// stands (the header section ends there).
size_t read_preamble(std::span<const uint8_t> file, const std::string& source, const ContainerReadOptions& options,
                     ContainerHeader& h) {
  ByteReader pre(file, source, ErrorKind::input);
  if (file.size() < kContainerMagic.size() || !std::equal(kContainerMagic.begin(), kContainerMagic.end(), file.begin()))
    throw_input(source + ": not an lcz container (no \\x89LCZ magic at offset 0)");
  pre.bytes(kContainerMagic.size());
  h.major = pre.u16le();
  h.minor = pre.u16le();
  if (h.major > kContainerMajor)
    throw_input(source + ": container format version " + std::to_string(h.major) + "." + std::to_string(h.minor) +
                " is newer than this lczip reads (" + std::to_string(kContainerMajor) + "." +
                std::to_string(kContainerMinor) + "); use a newer lczip");
  if (h.major < 1) throw_input(source + ": container format version 0 does not exist");
  const size_t length_at = pre.offset();
  const uint64_t header_bytes = pre.u64le();
  if (header_bytes > pre.remaining() || pre.remaining() - header_bytes < 8)
    pre.fail(length_at, "header length " + std::to_string(header_bytes) + " runs past the end of the file (" +
                            std::to_string(file.size()) + " bytes)");
  const size_t checksum_at = kPreambleBytes + header_bytes;
  ByteReader tail(file.subspan(checksum_at, 8), source, ErrorKind::input);
  const uint64_t stored = tail.u64le();
  if (options.verify_checksums && stored != xxh64(file.first(checksum_at)))
    throw_input(source + ": header checksum mismatch at offset " + std::to_string(checksum_at) +
                ": the header is corrupt");
  return checksum_at;
}

// Phase 2: the header section (coding, length of the fields, the fields): the fields, decoded.
Bytes header_fields(std::span<const uint8_t> file, size_t checksum_at, const std::string& source) {
  ByteReader section(file.first(checksum_at), source + ": header", ErrorKind::input);
  section.bytes(kPreambleBytes);
  const size_t coding_at = section.offset();
  const uint8_t coding = section.u8();
  if (coding != kHeaderStored && coding != kHeaderZstd)
    section.fail(coding_at, "unknown header coding " + std::to_string(coding));
  const uint64_t field_bytes = section.count(kMaxHeaderFieldBytes, "header field length");
  const auto body = section.bytes(section.remaining());
  Bytes fields;
  if (coding == kHeaderStored) {
    if (body.size() != field_bytes)
      section.fail(coding_at, "stored header of " + std::to_string(body.size()) + " bytes, its length field says " +
                                  std::to_string(field_bytes));
    fields.assign(body.begin(), body.end());
  } else {
    try {
      fields = std::get<Bytes>(header_coder(field_bytes)->decode(Bytes(body.begin(), body.end())));
    } catch (const Error& e) {
      throw_input(source + ": the coded header does not decode: " + e.what());
    }
    if (fields.size() != field_bytes)
      section.fail(coding_at, "the header decodes to " + std::to_string(fields.size()) + " bytes, its length field says " +
                                  std::to_string(field_bytes));
  }
  return fields;
}

// Phase 3: what the net is and how it was coded: pipeline, tolerance, source format and name,
// base, chunk weights, skeleton.
void read_net_fields(HeaderReader& hr, ContainerHeader& h) {
  ByteReader& r = hr.r();
  const std::string pipeline_text = hr.string(r.remaining(), "pipeline JSON length");
  h.pipeline = nlohmann::json::parse(pipeline_text, nullptr, /*allow_exceptions=*/false);
  if (h.pipeline.is_discarded() || !h.pipeline.is_object()) hr.fail(0, "the pipeline is not a JSON object");
  const size_t tol_at = r.offset();
  h.tolerance = std::bit_cast<double>(r.u64le());
  if (!(h.tolerance > 0) || !std::isfinite(h.tolerance)) hr.fail(tol_at, "tolerance is not a positive number");
  const size_t format_at = r.offset();
  const uint8_t format = r.u8();
  const NetFileFormat* source_format = find_format(static_cast<SourceFormat>(format));
  if (!source_format) hr.fail(format_at, "source format " + std::to_string(format) + " is unknown");
  h.source_format = static_cast<SourceFormat>(format);
  h.source_name = hr.string(kMaxNameBytes, "source name length");
  const size_t flags_at = r.offset();
  const uint8_t flags = r.u8();
  if (flags > 1) hr.fail(flags_at, "unknown flags " + std::to_string(flags));
  if (flags & 1) {
    std::array<uint8_t, 32> sha{};
    auto b = r.bytes(32);
    std::copy(b.begin(), b.end(), sha.begin());
    h.base_sha256 = sha;
  }
  h.chunk_weights = r.varint();
  h.skeleton = hr.string(r.remaining(), "skeleton length");
  if (!h.skeleton.empty() && !source_format->has_skeleton)
    hr.fail(r.offset(), std::string("a skeleton in a container whose source format (") + source_format->name +
                            ") has none");
}

// Phase 4: the tensors (name, dims, count, encodings). Returns their weights, at most max_weights.
uint64_t read_tensors(HeaderReader& hr, ContainerHeader& h, uint64_t max_weights) {
  ByteReader& r = hr.r();
  // Every tensor takes at least 15 bytes of fields: a count above that is refused before allocating.
  const uint64_t tensor_count = r.count(r.remaining() / 15, "tensor count");
  h.tensors.reserve(tensor_count);
  for (uint64_t i = 0; i < tensor_count; ++i) {
    ContainerTensor t;
    const size_t at = r.offset();
    t.layout.name = hr.string(kMaxNameBytes, "tensor name length");
    if (t.layout.name.empty()) hr.fail(at, "tensor " + std::to_string(i) + " has an empty name");
    const uint64_t rank = r.count(kMaxRank, "tensor rank");
    uint64_t product = 1;
    for (uint64_t d = 0; d < rank; ++d) {
      const uint64_t dim = r.count(UINT32_MAX, "dimension");
      t.layout.shape.push_back(static_cast<uint32_t>(dim));
      product = dim == 0 || product <= kMaxTensorElements / dim ? product * dim : kMaxTensorElements + 1;
    }
    const size_t count_at = r.offset();
    t.layout.count = r.count(kMaxTensorElements, "element count");
    if (product != t.layout.count)  // rank 0 (a 0-d .npy): one value
      hr.fail(count_at, "tensor " + t.layout.name + ": element count " + std::to_string(t.layout.count) +
                            " does not match its dims");
    t.layout.source = hr.encoding("source encoding");
    t.output = hr.output_encoding(t.layout.source);
    h.tensors.push_back(std::move(t));
  }
  // An .f32 or .npy file is one tensor: a header that says otherwise (a container relabelled)
  // is refused here, not by the writer after all the decoding (which once exited 5).
  const NetFileFormat* source_format = find_format(h.source_format);  // known: checked in phase 3
  if (source_format && source_format->one_tensor && h.tensors.size() != 1)
    hr.fail(r.offset(), std::string("a source of format ") + source_format->name +
                            " is one tensor; this header lists " + std::to_string(h.tensors.size()));
  uint64_t total_weights = 0;
  for (const auto& t : h.tensors) {
    total_weights += t.layout.count;  // each at most 2^36: no overflow
    if (total_weights > max_weights)
      hr.fail(r.offset(), "the tensors hold more than " + std::to_string(max_weights) +
                              " weights, the most this reader is set to decode (lczip: --max-weights)");
  }
  return total_weights;
}

// Phase 5: the chunks, which must cover the tensors' weights and whose payloads must end
// exactly at the end of the file (they start after the header checksum).
void read_chunks(HeaderReader& hr, ContainerHeader& h, uint64_t total_weights, size_t payloads_at,
                 std::span<const uint8_t> file, const std::string& source) {
  ByteReader& r = hr.r();
  const uint64_t chunk_count = r.count(std::min<uint64_t>(total_weights, r.remaining() / 19), "chunk count");
  uint64_t next_weight = 0, next_offset = payloads_at;
  for (uint64_t i = 0; i < chunk_count; ++i) {
    ContainerChunk c;
    const size_t at = r.offset();
    c.weight_count = r.varint();
    if (c.weight_count == 0 || c.weight_count > total_weights - next_weight)
      hr.fail(at, "chunk " + std::to_string(i) + " claims " + std::to_string(c.weight_count) + " weights; " +
                      std::to_string(total_weights - next_weight) + " are left");
    const size_t mode_at = r.offset();
    const uint8_t mode = r.u8();
    if (mode > 2) hr.fail(mode_at, "chunk " + std::to_string(i) + ": unknown mode " + std::to_string(mode));
    c.mode = static_cast<ChunkMode>(mode);
    if (needs_base(c.mode) && !h.base_sha256)
      hr.fail(mode_at, "chunk " + std::to_string(i) + " is coded against a base but the container names none");
    const size_t bytes_at = r.offset();
    c.payload_bytes = r.varint();
    if (c.payload_bytes > file.size() - next_offset)
      hr.fail(bytes_at, "chunk " + std::to_string(i) + ": payload of " + std::to_string(c.payload_bytes) +
                            " bytes runs past the end of the file");
    c.payload_xxh64 = r.u64le();
    c.values_xxh64 = r.u64le();
    c.first_weight = next_weight;
    c.payload_offset = next_offset;
    next_weight += c.weight_count;
    next_offset += c.payload_bytes;
    h.chunks.push_back(c);
  }
  if (next_weight != total_weights)
    hr.fail(r.offset(), "the chunks cover " + std::to_string(next_weight) + " of " + std::to_string(total_weights) +
                            " weights");
  r.expect_end();
  if (next_offset != file.size())
    throw_input(source + ": " + std::to_string(file.size() - next_offset) +
                " unexpected bytes after the last payload, at offset " + std::to_string(next_offset));
}

}  // namespace

ContainerHeader read_container_header(std::span<const uint8_t> file, const std::string& source,
                                      const ContainerReadOptions& options) {
  ContainerHeader h;
  const size_t checksum_at = read_preamble(file, source, options, h);
  const Bytes fields = header_fields(file, checksum_at, source);
  // Offsets in the messages of the phases below count from the start of the (decoded) fields.
  HeaderReader hr(fields, source);
  read_net_fields(hr, h);
  const uint64_t total_weights = read_tensors(hr, h, options.max_weights);
  read_chunks(hr, h, total_weights, checksum_at + 8, file, source);
  return h;
}

std::span<const uint8_t> chunk_payload(std::span<const uint8_t> file, const ContainerHeader& header, size_t chunk,
                                       const std::string& source, bool verify) {
  const ContainerChunk& c = header.chunks.at(chunk);
  if (c.payload_offset > file.size() || c.payload_bytes > file.size() - c.payload_offset)
    throw_input(source + ": chunk " + std::to_string(chunk) + " lies outside the file");
  auto payload = file.subspan(c.payload_offset, c.payload_bytes);
  if (verify && payload_checksum(payload, chunk, c.first_weight, header.minor) != c.payload_xxh64) {
    const auto pieces = pieces_of(header.layout(), c.first_weight, c.weight_count);
    const auto& first = header.tensors[pieces.front().tensor].layout.name;
    throw_input(source + ": chunk " + std::to_string(chunk) + " (tensors from " + first + ", " +
                std::to_string(c.payload_bytes) + " bytes at offset " + std::to_string(c.payload_offset) +
                "): payload checksum mismatch: the file is corrupt" +
                (header.minor >= 1 ? " or the chunk is out of its place" : ""));
  }
  return payload;
}

}  // namespace lcz
