// build_vocab: learns a WordPiece vocabulary (BERT vocab.txt layout) from raw text.
#include <cstdio>

#include "absl/flags/flag.h"
#include "absl/strings/str_split.h"
#include "base/file_util.h"
#include "base/tool_main.h"
#include "tokenizer/vocab_trainer.h"

ABSL_FLAG(std::string, input, "", "Text file(s): FILE[,FILE...] or globs. Required.");
ABSL_FLAG(std::string, output, "", "Where to write vocab.txt. Required.");
ABSL_FLAG(int, vocab_size, 30522, "Vocabulary size, special tokens included.");
ABSL_FLAG(int64_t, min_frequency, 0, "Stop merging when the best pair occurs fewer times.");
ABSL_FLAG(bool, lowercase, true, "Lowercase and strip accents (an uncased vocabulary).");
ABSL_FLAG(int, threads, 1, "Threads for counting words; the output does not depend on it.");

int main(int argc, char** argv) {
  electra::ParseToolFlags(argc, argv,
                          "build_vocab --input=FILE[,FILE...] --output=PATH --vocab_size=N "
                          "[--min_frequency=N] [--lowercase=true|false] [--threads=N]");
  return electra::RunTool("build_vocab", []() -> absl::Status {
    electra::BuildVocabOptions options;
    if (absl::GetFlag(FLAGS_input).empty()) return electra::FlagError("input", "is required");
    if (absl::GetFlag(FLAGS_output).empty()) return electra::FlagError("output", "is required");
    auto inputs = electra::ExpandFileList(absl::GetFlag(FLAGS_input));
    if (!inputs.ok()) return electra::FlagError("input", std::string(inputs.status().message()));
    options.inputs = *inputs;
    options.output = absl::GetFlag(FLAGS_output);
    options.trainer.vocab_size = absl::GetFlag(FLAGS_vocab_size);
    options.trainer.min_frequency = absl::GetFlag(FLAGS_min_frequency);
    options.trainer.normalizer.lowercase = absl::GetFlag(FLAGS_lowercase);
    options.trainer.normalizer.strip_accents = absl::GetFlag(FLAGS_lowercase);
    options.trainer.threads = absl::GetFlag(FLAGS_threads);
    if (options.trainer.vocab_size < 6 || options.trainer.vocab_size > 10000000) {
      return electra::FlagError("vocab_size", "must be between 6 and 10000000");
    }
    if (options.trainer.min_frequency < 0) return electra::FlagError("min_frequency", "must be >= 0");
    if (options.trainer.threads < 1 || options.trainer.threads > 1024) {
      return electra::FlagError("threads", "must be between 1 and 1024");
    }
    auto vocab = electra::RunBuildVocab(options);
    if (!vocab.ok()) return vocab.status();
    std::fprintf(stderr,
                 "build_vocab: %zu tokens (%d characters, %d merges) from %lld distinct words "
                 "(%lld in all) -> %s\n",
                 vocab->tokens.size(), vocab->alphabet_size, vocab->merges,
                 static_cast<long long>(vocab->distinct_words),
                 static_cast<long long>(vocab->total_words), options.output.c_str());
    return absl::OkStatus();
  });
}
