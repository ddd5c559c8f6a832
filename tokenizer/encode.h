// The logic of //tokenizer:encode: text lines in, one line of space-separated ids out.
#ifndef ELECTRA_TOKENIZER_ENCODE_H_
#define ELECTRA_TOKENIZER_ENCODE_H_

#include <cstdio>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "tokenizer/bert_tokenizer.h"

namespace electra {

struct EncodeOptions {
  std::string vocab_path;
  std::string input_path;   // empty = stdin
  std::string output_path;  // empty = stdout
  int threads = 1;
  bool lowercase = true;
};

// Tokenizes `text` line by line ('\n'; a final newline does not start an empty line) with
// `threads` threads and appends one output line of ids per input line to `out`. The output
// does not depend on the thread count.
void EncodeLines(const BertTokenizer& tokenizer, absl::string_view text, int threads,
                 std::string* out);

absl::Status RunEncode(const EncodeOptions& options);

}  // namespace electra

#endif  // ELECTRA_TOKENIZER_ENCODE_H_
