// //corpus:shard_corpus: raw text -> ELECTRA pretraining examples in TFRecord shards.
#ifndef ELECTRA_CORPUS_SHARD_CORPUS_H_
#define ELECTRA_CORPUS_SHARD_CORPUS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "corpus/shard_spec.pb.h"

namespace electra {

constexpr uint32_t kShardFormatVersion = 1;

struct ShardCorpusOptions {
  std::vector<std::string> inputs;  // all input files (sorted); a job takes its part
  std::string vocab_path;
  std::string output_dir;
  int num_shards = 1;
  int max_seq_length = 128;
  uint64_t seed = 12345;
  int threads = 1;
  bool blank_lines_separate_docs = true;
  bool lowercase = true;
  int num_jobs = 1;
  int job_index = 0;
  bool overwrite = false;
  bool show_progress = true;
};

// Shard file name: pretrain_data.tfrecord-<index>-of-<total> (5 digits each).
std::string ShardFileName(int index, int total);
// Spec file name of job J of M: shard_spec-<J>-of-<M>.pbtxt.
std::string SpecFileName(int job_index, int num_jobs);

// The files job `job_index` of `num_jobs` takes: every num_jobs-th of the sorted list.
std::vector<std::string> JobInputs(const std::vector<std::string>& inputs, int num_jobs,
                                   int job_index);

// Runs the sharder; returns the spec it wrote last.
absl::StatusOr<ShardSpec> RunShardCorpus(const ShardCorpusOptions& options);

// Reads and checks a spec file (format version).
absl::StatusOr<ShardSpec> ReadShardSpec(const std::string& path);

// The shard spec beside the first of `files` that has one (NotFound if none does).
absl::StatusOr<ShardSpec> FindShardSpec(const std::vector<std::string>& files);

}  // namespace electra

#endif  // ELECTRA_CORPUS_SHARD_CORPUS_H_
