// Sharding a run over processes, cores or cluster nodes. The jobs of a run are its
// datasets x (the memcpy row, then every pipeline), numbered dataset-major from 0 in config
// order; shard i of n runs the jobs whose number is i modulo n. Round-robin spreads slow
// and fast pipelines evenly, and the same config always gives the same slices, so shards
// run anywhere can be merged (harness/merge.h) into the report of one unsharded run.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

namespace lcz {

// The row that gives the machine's copy speed for each dataset: a ceiling for every codec.
inline constexpr const char* kMemcpyRow = "memcpy";

struct Shard {
  size_t index = 0, count = 1;
  bool whole() const { return count == 1; }
  std::string text() const { return std::to_string(index) + "/" + std::to_string(count); }
};

// "i/n" with 0 <= i < n <= 100000; throws lcz::Error(config) saying what is wrong.
Shard parse_shard(const std::string& text);

struct Job {
  size_t number;   // dataset * (pipelines + 1) + column
  size_t dataset;  // index into the config's datasets
  size_t column;   // 0: the memcpy row; c > 0: pipelines[c - 1]
};

inline size_t job_count(size_t datasets, size_t pipelines) { return datasets * (pipelines + 1); }

// The jobs of one shard, in job order.
std::vector<Job> shard_jobs(size_t datasets, size_t pipelines, const Shard& shard);

}  // namespace lcz
