// shard_corpus: raw text -> ELECTRA pretraining examples in TFRecord shards + a spec file.
#include <cstdio>

#include "absl/flags/flag.h"
#include "base/file_util.h"
#include "base/tool_main.h"
#include "corpus/shard_corpus.h"

ABSL_FLAG(std::string, input, "", "Text files, one sentence per line: FILE[,FILE...] or globs. Required.");
ABSL_FLAG(std::string, vocab, "", "WordPiece vocabulary (vocab.txt). Required.");
ABSL_FLAG(std::string, output_dir, "", "Directory for the shards and the spec file. Required.");
ABSL_FLAG(int, num_shards, 1, "Shard files this job writes (examples go round-robin).");
ABSL_FLAG(int, max_seq_length, 128, "Tokens per example, [CLS]/[SEP] included.");
ABSL_FLAG(uint64_t, seed, 12345, "Seed of the example builder's randomness (keyed by input file).");
ABSL_FLAG(int, threads, 1, "Tokenizer threads; the output does not depend on it.");
ABSL_FLAG(bool, blank_lines_separate_docs, true,
          "A blank line ends a document; if false, blank lines are skipped and each file is one document.");
ABSL_FLAG(bool, lowercase, true, "Lowercase and strip accents (uncased vocabularies).");
ABSL_FLAG(int, num_jobs, 1, "Number of independent sharding jobs (a cluster job array).");
ABSL_FLAG(int, job_index, 0, "This job's index in [0, num_jobs): it takes every num_jobs-th input file.");
ABSL_FLAG(bool, overwrite, false, "Replace shards already in --output_dir.");

int main(int argc, char** argv) {
  electra::ParseToolFlags(
      argc, argv,
      "shard_corpus --input=FILE[,FILE...] --vocab=PATH --output_dir=DIR [--num_shards=N] "
      "[--max_seq_length=128] [--seed=S] [--threads=N] [--blank_lines_separate_docs=true] "
      "[--lowercase=true] [--num_jobs=M --job_index=J] [--overwrite]");
  return electra::RunTool("shard_corpus", []() -> absl::Status {
    electra::ShardCorpusOptions o;
    for (const char* required : {"input", "vocab", "output_dir"}) {
      std::string v = required == std::string("input") ? absl::GetFlag(FLAGS_input)
                      : required == std::string("vocab") ? absl::GetFlag(FLAGS_vocab)
                                                          : absl::GetFlag(FLAGS_output_dir);
      if (v.empty()) return electra::FlagError(required, "is required");
    }
    auto inputs = electra::ExpandFileList(absl::GetFlag(FLAGS_input));
    if (!inputs.ok()) return electra::FlagError("input", std::string(inputs.status().message()));
    o.inputs = *inputs;
    o.vocab_path = absl::GetFlag(FLAGS_vocab);
    o.output_dir = absl::GetFlag(FLAGS_output_dir);
    o.num_shards = absl::GetFlag(FLAGS_num_shards);
    o.max_seq_length = absl::GetFlag(FLAGS_max_seq_length);
    o.seed = absl::GetFlag(FLAGS_seed);
    o.threads = absl::GetFlag(FLAGS_threads);
    o.blank_lines_separate_docs = absl::GetFlag(FLAGS_blank_lines_separate_docs);
    o.lowercase = absl::GetFlag(FLAGS_lowercase);
    o.num_jobs = absl::GetFlag(FLAGS_num_jobs);
    o.job_index = absl::GetFlag(FLAGS_job_index);
    o.overwrite = absl::GetFlag(FLAGS_overwrite);
    if (o.num_shards < 1 || o.num_shards > 100000) return electra::FlagError("num_shards", "must be between 1 and 100000");
    if (o.max_seq_length < 5 || o.max_seq_length > 65536) return electra::FlagError("max_seq_length", "must be between 5 and 65536");
    if (o.threads < 1 || o.threads > 1024) return electra::FlagError("threads", "must be between 1 and 1024");
    if (o.num_jobs < 1) return electra::FlagError("num_jobs", "must be at least 1");
    if (o.job_index < 0 || o.job_index >= o.num_jobs) return electra::FlagError("job_index", "must be in [0, --num_jobs)");
    auto spec = electra::RunShardCorpus(o);
    if (!spec.ok()) return spec.status();
    std::fprintf(stderr,
                 "shard_corpus: %llu documents, %llu sentences -> %llu examples (%llu tokens, "
                 "%.1f%% padding) in %d shard(s) under %s\n",
                 (unsigned long long)spec->documents(), (unsigned long long)spec->sentences(),
                 (unsigned long long)spec->examples(), (unsigned long long)spec->tokens(),
                 100 * spec->padding_fraction(), o.num_shards, o.output_dir.c_str());
    return absl::OkStatus();
  });
}
