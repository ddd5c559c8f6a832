// Fuzzes the tokenizer: any bytes (invalid UTF-8, control characters, huge words) must tokenize
// without crashing, give only valid ids, and give the same ids in cased and uncased mode's own
// determinism (a second call equals the first).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tokenizer/bert_tokenizer.h"

namespace {

const electra::BertTokenizer& Tokenizer(bool lowercase) {
  static std::unique_ptr<electra::BertTokenizer> t[2];
  if (!t[lowercase]) {
    std::vector<std::string> tokens = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "b", "##a", "##b", "ab",
                                       "##ab", "the", "##s", "##ing", "é", "##é", "東", "!", ",", "#", "##", "###"};
    t[lowercase] = electra::BertTokenizer::Create(*electra::Vocab::FromTokens(tokens, "fuzz"),
                                                  {lowercase, lowercase})
                       .value();
  }
  return *t[lowercase];
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  bool lowercase = data[0] & 1;
  std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  const electra::BertTokenizer& t = Tokenizer(lowercase);
  std::vector<int32_t> ids = t.Tokenize(text);
  for (int32_t id : ids) {
    if (id < 0 || id >= t.vocab().size()) __builtin_trap();
  }
  if (t.Tokenize(text) != ids) __builtin_trap();
  electra::Encoding e = t.EncodePair(ids, ids, 16, true);
  if (e.ids.size() != 16) __builtin_trap();
  return 0;
}
