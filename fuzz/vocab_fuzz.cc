// Fuzzes vocabulary loading and WordPiece construction from arbitrary token lists: an error or a
// working tokenizer, never a crash.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "tokenizer/bert_tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  size_t split = text.find('\0');
  std::string vocab_text = text.substr(0, split);
  std::string sample = split == std::string::npos ? "hello world" : text.substr(split + 1);
  std::vector<std::string> tokens = absl::StrSplit(vocab_text, '\n');
  auto vocab = electra::Vocab::FromTokens(tokens, "fuzz");
  if (!vocab.ok()) return 0;
  auto t = electra::BertTokenizer::Create(*std::move(vocab), {});
  if (!t.ok()) return 0;
  for (int32_t id : (*t)->Tokenize(sample)) {
    if (id < 0 || id >= (*t)->vocab().size()) __builtin_trap();
  }
  return 0;
}
