// //train:score_checkpoint: scores a pretraining checkpoint on held-out shards with the
// pretraining task itself, deterministically for a seed: the same examples in file order, the
// same masks and the same sampling noise every time. Reports what tells learning from a trivial
// model: the generator's loss and accuracy beside the most-frequent-token baseline, the
// discriminator's loss beside H(p) (the best constant predictor's loss), its exact ROC AUC beside
// 0.5, accuracy beside 1 - p, and precision and recall on replaced tokens.
//
// With `generator` set, another checkpoint's generator makes the replacements, so two
// discriminators can be compared on exactly the same corrupted inputs.
#ifndef ELECTRA_TRAIN_SCORER_H_
#define ELECTRA_TRAIN_SCORER_H_

#include <string>

#include "absl/status/statusor.h"

namespace electra {

struct ScoreOptions {
  std::string checkpoint;  // step-N directory, a run's checkpoints/ directory, or a run directory
  std::string generator;   // optional: checkpoint (or generator model directory) for the replacements
  std::string data;        // held-out shard files: glob or comma list
  int64_t max_examples = 10000;
  int batch_size = 128;
  uint64_t seed = 1;
  double mask_prob = -1;          // -1: the checkpoint's training value
  std::string mask_sampling;      // "" (the checkpoint's), with_replacement, without_replacement
  double temperature = -1;        // -1: the checkpoint's training value
  std::string device = "auto";
  std::string precision = "auto";  // auto (bf16 on CUDA and CPUs with native bf16, else fp32) | fp32 | bf16
  bool testing_emulated_bf16 = false;
  int threads = 0;
};

struct ScoreResult {
  std::string checkpoint, generator, data;
  int64_t step = 0;
  std::string precision;  // what the towers ran in
  std::string objective = "electra";  // mlm: a masked LM alone, generator figures only
  double temperature = 1;
  int64_t examples = 0, tokens = 0, masked = 0;
  double gen_loss = 0, gen_accuracy = 0, gen_majority_accuracy = 0, gen_sampled_original = 0;
  double gen_unigram_entropy = 0;  // loss of the best context-free predictor of the masked tokens
  double disc_loss = 0, disc_base_entropy = 0, disc_loss_ratio = 0;
  double disc_auc = 0;      // exact, over real tokens
  double disc_auc_tf = 0;   // as the official code logs it (tf.metrics.auc, 200 thresholds, padding as score-0 negatives)
  double disc_accuracy = 0, disc_base_accuracy = 0, disc_precision = 0, disc_recall = 0, disc_f1 = 0;
  double replaced_fraction = 0;
  double seconds = 0;
};

absl::StatusOr<ScoreResult> ScoreCheckpoint(const ScoreOptions& options);

// The newest complete checkpoint under `path` (a step directory itself, DIR/checkpoints/ or
// DIR); an error that says what was expected when there is none.
absl::StatusOr<std::string> ResolveCheckpointDir(const std::string& path);

std::string ScoreToJson(const ScoreResult& result);
std::string ScoreToLine(const ScoreResult& result);

}  // namespace electra

#endif  // ELECTRA_TRAIN_SCORER_H_
