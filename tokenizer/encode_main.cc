// encode: BERT WordPiece tokenization of text lines into ids (HF tokenizers' ids, faster).
#include "absl/flags/flag.h"
#include "base/tool_main.h"
#include "tokenizer/encode.h"

ABSL_FLAG(std::string, vocab, "", "WordPiece vocabulary (vocab.txt, one token per line). Required.");
ABSL_FLAG(std::string, input, "", "UTF-8 text, one sequence per line (default: standard input).");
ABSL_FLAG(std::string, output, "", "Where to write the ids (default: standard output).");
ABSL_FLAG(int, threads, 1, "Tokenizer threads; the output does not depend on it.");
ABSL_FLAG(bool, lowercase, true, "Lowercase and strip accents (uncased vocabularies).");

int main(int argc, char** argv) {
  electra::ParseToolFlags(argc, argv,
                          "encode --vocab=PATH [--input=PATH] [--output=PATH] [--threads=N] "
                          "[--lowercase=true|false]\n"
                          "Writes one line of space-separated token ids per input line (no "
                          "[CLS]/[SEP]).");
  return electra::RunTool("encode", []() -> absl::Status {
    electra::EncodeOptions options;
    options.vocab_path = absl::GetFlag(FLAGS_vocab);
    options.input_path = absl::GetFlag(FLAGS_input);
    options.output_path = absl::GetFlag(FLAGS_output);
    options.threads = absl::GetFlag(FLAGS_threads);
    options.lowercase = absl::GetFlag(FLAGS_lowercase);
    if (options.vocab_path.empty()) return electra::FlagError("vocab", "is required");
    if (options.threads < 1 || options.threads > 1024) {
      return electra::FlagError("threads", "must be between 1 and 1024");
    }
    return electra::RunEncode(options);
  });
}
