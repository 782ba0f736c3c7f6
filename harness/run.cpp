#include "harness/run.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <unordered_map>

#include "codecs/core/error.h"
#include "nets/sha256.h"
#include "harness/report/provenance.h"

namespace lcz {

Dataset load_dataset(const DatasetSpec& spec) {
  if (spec.is_delta()) return {read_net(spec.target), read_net(spec.base)};
  return {read_net(spec.path, spec.format), std::nullopt};
}

namespace {

// Each tensor's counterpart in the base; an input error names the first without one.
Pipeline::Bases bases_of(const Net& net, const Net& base) {
  const std::vector<int64_t> match = base_counterparts(layout_of(net), base);
  Pipeline::Bases bases;
  for (size_t i = 0; i < net.tensors.size(); ++i) {
    if (match[i] < 0)
      throw_input(net.source + ": tensor " + net.tensors[i].name + " has no counterpart of " +
                  std::to_string(net.tensors[i].values.size()) + " weights in the base " + base.source);
    bases.emplace_back(base.tensors[static_cast<size_t>(match[i])].values);
  }
  return bases;
}

}  // namespace

double order0_bound_bytes(const Net& net, double tolerance) {
  const double inv_step = 1.0 / (2 * tolerance);
  double bits = 0;
  for (const auto& t : net.tensors) {
    std::unordered_map<int64_t, uint64_t> counts;
    for (float v : t.values) ++counts[static_cast<int64_t>(std::nearbyint(v * inv_step))];
    const double n = static_cast<double>(t.values.size());
    for (const auto& [value, c] : counts) bits -= c * std::log2(c / n);
  }
  return bits / 8;
}

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

bool same_values(const Net& a, const Net& b) {
  if (a.tensors.size() != b.tensors.size()) return false;
  for (size_t t = 0; t < a.tensors.size(); ++t) {
    const auto& x = a.tensors[t].values;
    const auto& y = b.tensors[t].values;
    if (x.size() != y.size() || std::memcmp(x.data(), y.data(), x.size() * sizeof(float)) != 0) return false;
  }
  return true;
}

}  // namespace

ResultRow run_pipeline(const Pipeline& pipeline, const Net& net, const std::string& dataset, double tolerance,
                       int repeat, double bound_bytes, const Net* base) {
  ResultRow row;
  row.dataset = dataset;
  row.pipeline = pipeline.spec().name;
  row.granularity = granularity_name(pipeline.spec().granularity);
  row.tensors = net.tensors.size();
  row.weights = net.weight_count();
  row.original_bytes = row.weights * sizeof(float);
  row.bound_bytes = bound_bytes;
  row.repeats = repeat;
  try {
    // Warm-up run, which is also the one verified (outside any timing).
    const std::optional<Pipeline::Bases> bases = base ? std::optional(bases_of(net, *base)) : std::nullopt;
    const Pipeline::Bases* with = bases ? &*bases : nullptr;
    const NetLayout layout = layout_of(net);
    auto encode = [&] { return pipeline.encode_tensors(net.tensors, with); };
    auto decode = [&](const Bytes& b) { return assemble_net(layout, pipeline.decode_tensors(b, layout.tensors, with)); };
    Bytes reference = encode();
    Net decoded = decode(reference);
    row.compressed_bytes = reference.size();
    row.output_sha256 = sha256_hex(reference);
    row.ratio = static_cast<double>(row.original_bytes) / std::max<size_t>(reference.size(), 1);
    row.bits_per_weight = row.weights ? 8.0 * reference.size() / row.weights : 0;
    Verification v = verify(net, decoded);
    row.max_abs_error = v.max_abs_error;
    row.max_error_over_tol = v.max_abs_error / tolerance;
    if (!v.mismatch.empty()) throw Error(ErrorKind::verify, v.mismatch);
    if (!(v.max_abs_error <= tolerance))
      throw Error(ErrorKind::verify, std::isnan(v.max_abs_error) ? "decoded weights contain NaN"
                                                                  : "max error exceeds the tolerance");

    std::vector<double> enc, dec;
    for (int r = 0; r < repeat; ++r) {
      auto t0 = Clock::now();
      Bytes b = encode();
      enc.push_back(seconds_since(t0));
      if (b != reference) throw Error(ErrorKind::verify, "encoding is not deterministic: run " + std::to_string(r + 1) + " differs");
      t0 = Clock::now();
      Net d = decode(b);
      dec.push_back(seconds_since(t0));
      if (!same_values(d, decoded)) throw Error(ErrorKind::verify, "decoding is not deterministic");
    }
    row.encode_seconds = median(enc);
    row.decode_seconds = median(dec);
    row.encode_mb_s = row.original_bytes / 1e6 / std::max(row.encode_seconds, 1e-9);
    row.decode_mb_s = row.original_bytes / 1e6 / std::max(row.decode_seconds, 1e-9);
    row.pass = true;
  } catch (const Error& e) {
    row.pass = false;
    row.failure = e.kind();
    row.error = std::string(e.kind() == ErrorKind::verify ? "verification failed: " : "codec error: ") + e.what();
  }
  return row;
}

Report run_config(const Config& config, const ProgressFn& progress) {
  Report report;
  report.run_id = run_timestamp() + "-" + config.file.stem().string();
  report.provenance = provenance(config);
  StageContext context{.tolerance = config.tolerance};
  std::vector<Pipeline> pipelines;
  for (const auto& spec : config.pipelines) pipelines.emplace_back(spec, context);
  const size_t total = config.datasets.size() * pipelines.size();
  size_t done = 0;
  for (const auto& ds : config.datasets) {
    if (progress) progress("loading " + ds.name);
    const Dataset dataset = load_dataset(ds);
    const Net& net = dataset.net;
    if (dataset.base) (void)bases_of(net, *dataset.base);  // a base that does not fit is an input error
    DatasetInfo info{.name = ds.name, .format = net.format};
    for (const auto& f : ds.is_delta() ? std::vector{ds.base, ds.target} : std::vector{ds.path}) {
      info.files.push_back(f.string());
      info.sha256.push_back(sha256_file_hex(f));
    }
    info.tensors = net.tensors.size();
    info.weights = net.weight_count();
    info.bound_bytes = order0_bound_bytes(net, config.tolerance);
    report.datasets.push_back(info);
    for (const auto& p : pipelines) {
      ++done;
      if (progress)
        progress("[" + std::to_string(done) + "/" + std::to_string(total) + "] " + ds.name + " x " + p.spec().name);
      ResultRow row = run_pipeline(p, net, ds.name, config.tolerance, config.repeat, info.bound_bytes,
                                   dataset.base ? &*dataset.base : nullptr);
      if (progress) {
        char buf[160];
        std::snprintf(buf, sizeof buf, "    ratio %.4f, encode %.1f MB/s, decode %.1f MB/s, max err/tol %.4f, %s",
                      row.ratio, row.encode_mb_s, row.decode_mb_s, row.max_error_over_tol, row.pass ? "pass" : "FAIL");
        progress(buf + (row.pass ? std::string() : ": " + row.error));
      }
      report.rows.push_back(std::move(row));
    }
  }
  return report;
}

}  // namespace lcz
