#include "harness/merge.h"

#include <algorithm>
#include <map>
#include <set>

#include "codecs/core/error.h"

namespace lcz {
using nlohmann::json;

namespace {

const json& provenance_field(const MergeInput& part, const char* key) {
  const json& p = part.report.provenance;
  if (!p.is_object() || !p.contains(key))
    throw_input(part.source + ": provenance." + key + " is missing (not a report of this harness, or an older one)");
  return p[key];
}

void require_same(const MergeInput& first, const MergeInput& other, const char* key, const char* what) {
  const json& a = provenance_field(first, key);
  const json& b = provenance_field(other, key);
  if (a != b)
    throw_input("cannot merge: " + std::string(what) + " differ: " + first.source + " has " + a.dump() + ", " +
                other.source + " has " + b.dump());
}

}  // namespace

MergeResult merge_reports(const std::vector<MergeInput>& parts, const std::string& run_id) {
  if (parts.empty()) throw_input("nothing to merge");
  const MergeInput& first = parts.front();
  for (const auto& part : parts) {
    require_same(first, part, "config_fingerprint", "configs (fingerprints of tolerance, timing, datasets, pipelines)");
    require_same(first, part, "tolerance", "tolerances");
    require_same(first, part, "git_sha", "commits");
    require_same(first, part, "plan", "plans (dataset and pipeline names)");
  }
  const json& plan = provenance_field(first, "plan");
  std::vector<std::string> datasets, pipelines;
  try {
    datasets = plan.at("datasets").get<std::vector<std::string>>();
    pipelines = plan.at("pipelines").get<std::vector<std::string>>();
  } catch (const json::exception&) {
    throw_input(first.source + ": provenance.plan: expected datasets and pipelines as arrays of names");
  }

  // Every job's row, from whichever part has it, and how many parts have it (more than one:
  // a duplicate).
  const std::set<std::string> planned_datasets(datasets.begin(), datasets.end());
  const std::set<std::string> planned_pipelines(pipelines.begin(), pipelines.end());
  std::map<std::pair<std::string, std::string>, std::pair<const ResultRow*, int>> found;
  std::map<std::string, std::pair<const DatasetInfo*, const std::string*>> infos;  // and which report had it
  MergeResult out;
  for (const auto& part : parts) {
    for (const auto& row : part.report.rows) {
      const auto key = std::make_pair(row.dataset, row.pipeline);
      if (!planned_datasets.contains(row.dataset) || !planned_pipelines.contains(row.pipeline))
        throw_input(part.source + ": row " + row.dataset + " x " + row.pipeline + " is not in the report's plan");
      auto& [first_row, copies] = found[key];
      if (++copies == 1) first_row = &row;
    }
    for (const auto& d : part.report.datasets) {
      auto [it, inserted] = infos.emplace(d.name, std::make_pair(&d, &part.source));
      if (!inserted && it->second.first->sha256 != d.sha256)
        throw_input("cannot merge: dataset " + d.name + " has other contents (SHA-256) in " + part.source + " than in " +
                    *it->second.second);
    }
  }

  Report& merged = out.report;
  merged.run_id = run_id;
  merged.provenance = first.report.provenance;
  merged.provenance.erase("shard");
  json from = json::array();
  bool dirty = false;
  for (const auto& part : parts) {
    const json& p = part.report.provenance;
    from.push_back({{"source", part.source},
                    {"run_id", part.report.run_id},
                    {"shard", p.value("shard", json())},
                    {"date_utc", p.value("date_utc", json())},
                    {"cpu", p.value("cpu", json())},
                    {"peak_rss_bytes", part.report.peak_rss_bytes}});
    dirty = dirty || p.value("git_dirty", false);
    merged.peak_rss_bytes = std::max(merged.peak_rss_bytes, part.report.peak_rss_bytes);
  }
  merged.provenance["git_dirty"] = dirty;
  merged.provenance["merged_from"] = from;

  for (const auto& d : datasets) {
    if (auto it = infos.find(d); it != infos.end()) merged.datasets.push_back(*it->second.first);
    for (const auto& p : pipelines) {
      auto it = found.find({d, p});
      if (it == found.end()) {
        out.missing.push_back(d + " x " + p);
        continue;
      }
      const auto [row, copies] = it->second;
      if (copies > 1) out.duplicated.push_back(d + " x " + p + " (" + std::to_string(copies) + " times)");
      merged.rows.push_back(*row);
    }
  }
  return out;
}

}  // namespace lcz
