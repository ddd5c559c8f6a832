// Greedy longest-match-first WordPiece in linear time: LinMaxMatch from "Fast WordPiece
// Tokenization" (Song et al., EMNLP 2021). The vocabulary is a byte trie in which every node
// carries a failure link and the tokens to emit ("failure pops") when the next byte cannot
// extend the match, so each byte of a word is visited a constant number of times amortized,
// instead of re-scanning prefixes as the textbook MaxMatch does.
#ifndef ELECTRA_TOKENIZER_WORDPIECE_H_
#define ELECTRA_TOKENIZER_WORDPIECE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "tokenizer/vocab.h"

namespace electra {

class FastWordPiece {
 public:
  // Words longer than this many characters become [UNK] (HF's max_input_chars_per_word).
  static constexpr int kMaxWordChars = 100;

  explicit FastWordPiece(const Vocab& vocab, absl::string_view continuation_prefix = "##");

  // Appends the ids of `word` (normalized UTF-8 of `num_chars` characters, no whitespace) to
  // `ids`: the greedy longest-match-first pieces, or one [UNK] if some part cannot be matched.
  void Tokenize(absl::string_view word, int num_chars, std::vector<int32_t>* ids) const;

  int32_t unk_id() const { return unk_id_; }

 private:
  struct Node {
    int32_t token = -1;      // vocabulary id when the node's string is a token
    int32_t fail = -1;       // failure link; -1 = none (the word cannot be tokenized)
    uint32_t pops_begin = 0;  // failure pops: pops_[pops_begin, pops_begin + pops_size)
    uint32_t pops_size = 0;
  };

  int32_t Child(int32_t node, uint8_t byte) const {
    if (node == kRoot) return root_children_[byte];
    if (node == suffix_root_) return suffix_children_[byte];
    uint64_t key = (static_cast<uint64_t>(node) << 8 | byte) + 1;
    uint64_t mask = table_keys_.size() - 1;
    for (uint64_t i = Hash(key) & mask;; i = (i + 1) & mask) {
      uint64_t k = table_keys_[i];
      if (k == key) return table_values_[i];
      if (k == 0) return -1;
    }
  }
  static uint64_t Hash(uint64_t key) {
    key *= 0x9E3779B97F4A7C15ull;
    return key ^ (key >> 29);
  }

  static constexpr int32_t kRoot = 0;
  int32_t suffix_root_ = -1;
  int32_t unk_id_ = -1;
  std::vector<Node> nodes_;
  std::vector<int32_t> pops_;
  int32_t root_children_[256];
  int32_t suffix_children_[256];
  std::vector<uint64_t> table_keys_;  // open addressing: (node << 8 | byte) + 1, 0 = empty
  std::vector<int32_t> table_values_;
};

}  // namespace electra

#endif  // ELECTRA_TOKENIZER_WORDPIECE_H_
