// Learns a WordPiece vocabulary the way HF tokenizers' WordPieceTrainer does: count the
// normalized, pre-tokenized words; start from their characters (non-initial ones as "##c");
// then repeatedly merge the most frequent adjacent pair of symbols (ties: the smaller pair of
// ids) into a new symbol ("a" + "##b" -> "ab", "##a" + "##b" -> "##ab") until the vocabulary
// holds `vocab_size` tokens or no pair occurs `min_frequency` times.
#ifndef ELECTRA_TOKENIZER_VOCAB_TRAINER_H_
#define ELECTRA_TOKENIZER_VOCAB_TRAINER_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "tokenizer/bert_normalizer.h"

namespace electra {

struct VocabTrainerOptions {
  int vocab_size = 30522;
  int64_t min_frequency = 0;
  NormalizerOptions normalizer;
  int threads = 1;
  bool show_progress = true;
};

using WordCounts = absl::flat_hash_map<std::string, int64_t>;

// Counts the words of `text` (split into lines on '\n') with `threads` threads.
WordCounts CountWords(absl::string_view text, const NormalizerOptions& options, int threads);
void MergeWordCounts(const WordCounts& from, WordCounts* into);

struct TrainedVocab {
  std::vector<std::string> tokens;  // [PAD] [UNK] [CLS] [SEP] [MASK], alphabet, pieces
  int64_t distinct_words = 0;
  int64_t total_words = 0;
  int alphabet_size = 0;
  int merges = 0;
};

// Learns the vocabulary from word counts. Deterministic: depends only on `counts` and options.
TrainedVocab TrainWordPiece(const WordCounts& counts, const VocabTrainerOptions& options);

struct BuildVocabOptions {
  std::vector<std::string> inputs;
  std::string output;
  VocabTrainerOptions trainer;
};

// //tokenizer:build_vocab: reads the inputs, trains and writes vocab.txt atomically.
absl::StatusOr<TrainedVocab> RunBuildVocab(const BuildVocabOptions& options);

}  // namespace electra

#endif  // ELECTRA_TOKENIZER_VOCAB_TRAINER_H_
