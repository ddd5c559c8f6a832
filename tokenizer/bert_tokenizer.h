// BERT tokenization (HF tokenizers' BertNormalizer + BertPreTokenizer + WordPiece) in one
// pass over the bytes, and the [CLS]/[SEP] encodings that the sharder and the fine-tuner use.
#ifndef ELECTRA_TOKENIZER_BERT_TOKENIZER_H_
#define ELECTRA_TOKENIZER_BERT_TOKENIZER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "tokenizer/bert_normalizer.h"
#include "tokenizer/utf8.h"
#include "tokenizer/vocab.h"
#include "tokenizer/wordpiece.h"

namespace electra {

// A model input: ids, token types (0 for [CLS] A [SEP], 1 for B [SEP]) and attention mask.
struct Encoding {
  std::vector<int32_t> ids;
  std::vector<int32_t> type_ids;
  std::vector<int32_t> mask;
};

class BertTokenizer {
 public:
  // The vocabulary must contain [UNK]; [CLS] and [SEP] are needed by Encode*.
  static absl::StatusOr<std::unique_ptr<BertTokenizer>> Create(Vocab vocab,
                                                               const NormalizerOptions& options);
  static absl::StatusOr<std::unique_ptr<BertTokenizer>> FromFile(
      const std::string& vocab_path, const NormalizerOptions& options);

  // Appends the WordPiece ids of `text` (no special tokens). Thread-safe.
  void Tokenize(absl::string_view text, std::vector<int32_t>* ids) const;
  std::vector<int32_t> Tokenize(absl::string_view text) const {
    std::vector<int32_t> ids;
    Tokenize(text, &ids);
    return ids;
  }

  // Calls `fn(word, num_chars)` for every pre-token of `text` after normalization (used by the
  // vocabulary trainer, which counts words).
  template <typename Fn>
  void ForEachWord(absl::string_view text, Fn&& fn) const;

  // [CLS] a [SEP], truncated to `max_length` (a is cut at the end), padded with [PAD] (id 0
  // mask) to `max_length` when `pad` is set.
  Encoding EncodeSingle(const std::vector<int32_t>& a, int max_length, bool pad) const;
  // [CLS] a [SEP] b [SEP]; when too long, tokens are removed one at a time from the end of the
  // longer segment (b on ties), as BERT's and ELECTRA's _truncate_seq_pair do.
  Encoding EncodePair(const std::vector<int32_t>& a, const std::vector<int32_t>& b,
                      int max_length, bool pad) const;

  const Vocab& vocab() const { return vocab_; }
  const NormalizerOptions& options() const { return normalizer_->options(); }

 private:
  BertTokenizer(Vocab vocab, const BertNormalizer* normalizer);

  Vocab vocab_;
  const BertNormalizer* normalizer_;
  FastWordPiece wordpiece_;
  // For ASCII bytes: dropped by cleaning, else the normalized byte and its class.
  bool ascii_drop_[128];
  uint8_t ascii_out_[128];
  CharClass ascii_class_[128];
  // Id of each ASCII punctuation character as a word of its own.
  int32_t ascii_punct_id_[128];
};

// Truncates a pair in place the BERT way so that len(a) + len(b) <= max_tokens.
void TruncatePair(std::vector<int32_t>* a, std::vector<int32_t>* b, size_t max_tokens);

template <typename Fn>
void BertTokenizer::ForEachWord(absl::string_view text, Fn&& fn) const {
  std::string word;
  int chars = 0;
  auto flush = [&]() {
    if (!word.empty()) fn(absl::string_view(word), chars);
    word.clear();
    chars = 0;
  };
  const uint8_t* p = reinterpret_cast<const uint8_t*>(text.data());
  const uint8_t* end = p + text.size();
  NormalizedChar buffer[BertNormalizer::kMaxOutput];
  while (p < end) {
    char32_t cp;
    p += DecodeUtf8(p, end, &cp);
    int n = normalizer_->Map(cp, buffer);
    for (int i = 0; i < n; ++i) {
      const NormalizedChar& c = buffer[i];
      if (c.cls == CharClass::kWord) {
        word.append(c.utf8, c.utf8_len);
        ++chars;
      } else {
        flush();
        if (c.cls == CharClass::kPunct) fn(absl::string_view(c.utf8, c.utf8_len), 1);
      }
    }
  }
  flush();
}

}  // namespace electra

#endif  // ELECTRA_TOKENIZER_BERT_TOKENIZER_H_
