// BERT text normalization and pre-tokenization classes, per code point, as HF tokenizers'
// `BertNormalizer` + `BertPreTokenizer` do them:
//   1. clean: drop NUL, U+FFFD and control characters (categories Cc, Cf, Co, Cs except
//      \t \n \r); map White_Space characters to ' ';
//   2. put spaces around CJK ideographs;
//   3. strip accents (optional): NFD, then drop non-spacing marks (Mn);
//   4. lowercase (optional): full Unicode lowercase mapping, one character at a time.
// Then text splits on White_Space and around punctuation (ASCII punctuation or category P*).
//
// HF takes general categories from the `unicode_categories` crate, whose tables are Unicode
// 8.0: a character assigned later has no category there (it is neither punctuation nor
// control, and is not stripped as a mark). We take categories from ICU and treat characters
// whose Unicode age is above 8.0 the same way. White_Space, NFD and lowercase use ICU's
// current tables, as HF uses Rust's.
//
// Every step is a per-character map, so the whole normalizer is a table from a code point to
// a short sequence of (code point, class) pairs. The BMP table is filled lazily in pages of 256
// code points (English text touches a handful, so start-up stays in milliseconds); astral
// characters are computed on the fly.
#ifndef ELECTRA_TOKENIZER_BERT_NORMALIZER_H_
#define ELECTRA_TOKENIZER_BERT_NORMALIZER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace electra {

struct NormalizerOptions {
  bool lowercase = true;
  // Strip accents; HF's default is to follow `lowercase`.
  bool strip_accents = true;
};

// How the pre-tokenizer treats a (normalized) character.
enum class CharClass : uint8_t {
  kWord = 0,   // part of a word
  kSpace = 1,  // separates words and is dropped
  kPunct = 2,  // a word of its own
};

struct NormalizedChar {
  char32_t cp;
  CharClass cls;
  uint8_t utf8_len;
  char utf8[4];
};

class BertNormalizer {
 public:
  // Shared instance per option set (tables are built once per process).
  static const BertNormalizer& Get(const NormalizerOptions& options);

  explicit BertNormalizer(const NormalizerOptions& options);

  // What a single input code point becomes: up to `kMaxOutput` normalized characters written
  // to `out`; returns how many (0 = dropped).
  static constexpr int kMaxOutput = 18;
  int Map(char32_t cp, NormalizedChar* out) const;

  // For the BMP: a view of the table's mapping (no copy). Thread-safe.
  const NormalizedChar* MapBmp(char32_t cp, int* count) const {
    const Page* page = pages_[cp >> 8].load(std::memory_order_acquire);
    if (page == nullptr) page = BuildPage(cp >> 8);
    uint32_t e = page->entries[cp & 0xFF];
    *count = static_cast<int>(e & 0xFF);
    return page->pool.data() + (e >> 8);
  }

  // Class of a normalized character (whitespace / punctuation / word).
  static CharClass Classify(char32_t cp);

  // The whole normalized string (for tests and tools; the tokenizer uses Map directly).
  std::string Normalize(absl::string_view text) const;

  const NormalizerOptions& options() const { return options_; }

 private:
  struct Page {
    uint32_t entries[256];  // offset << 8 | count into pool
    std::vector<NormalizedChar> pool;
  };

  int Compute(char32_t cp, NormalizedChar* out) const;
  const Page* BuildPage(uint32_t index) const;

  NormalizerOptions options_;
  mutable std::mutex mu_;
  mutable std::atomic<const Page*> pages_[256];
  mutable std::vector<std::unique_ptr<Page>> owned_pages_;
};

// HF's CJK ideograph ranges (`is_chinese_char`; note 0x2B920, not BERT's 0x2B820).
bool IsCjkIdeograph(char32_t cp);

}  // namespace electra

#endif  // ELECTRA_TOKENIZER_BERT_NORMALIZER_H_
