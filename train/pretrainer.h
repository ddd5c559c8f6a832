// //train:pretrain: the ELECTRA pretraining loop over record shards, with checkpoints that
// resume exactly, logs (stderr, metrics.jsonl, TensorBoard) and NaN/Inf protection.
#ifndef ELECTRA_TRAIN_PRETRAINER_H_
#define ELECTRA_TRAIN_PRETRAINER_H_

#include <string>

#include "absl/status/status.h"
#include "model/electra.h"
#include "train/masking.h"

namespace electra {

struct PretrainOptions {
  std::string data;        // glob / comma list of shard files
  std::string output_dir;
  std::string vocab;       // vocab.txt for special-token ids; default: the shard spec's
  std::string size = "small";
  int layers = -1;               // encoder layers of both towers; -1: the size's own
  // electra: generator + discriminator (replaced-token detection); mlm: BERT's masked LM alone, one
  // encoder the size of the discriminator (the official electra_objective=False).
  std::string objective = "electra";
  int64_t steps = -1;            // -1: the size's official default
  int64_t batch_size = -1;       // global batch
  double lr = -1;
  int64_t warmup_steps = -1;
  uint64_t seed = 42;
  int64_t save_every = 1000;
  int keep = 3;
  int64_t log_every = 100;
  int64_t stop_at = -1;          // end after this step (with a checkpoint); -1: run to `steps`
  MaskStyle mask_style = MaskStyle::kOfficial;
  bool mask_with_replacement = true;  // official: positions drawn with replacement (masking.h)
  bool glorot_layers = true;          // official: embeddings_project, dense_prediction Glorot-uniform
  bool adam_bias_correction = false;  // official: none
  double mask_prob = -1;         // -1: 0.15 (0.25 for large)
  double generator_fraction = -1;
  double disc_weight = 50.0;
  double temperature = 1.0;
  double dropout = -1;           // -1: 0.1; 0 disables dropout (reproducibility tests)
  double weight_decay = 0.01;
  InitStyle init = InitStyle::kTruncatedNormal;
  std::string device = "auto";   // auto | cpu | cuda
  // auto (bf16 on CUDA and on CPUs with native bf16, else fp32) | fp32 | bf16 | fp16 (CUDA).
  std::string precision = "auto";
  bool testing_emulated_bf16 = false;  // tests: allow bf16 on a CPU without native bf16 (slow)
  int profile_steps = 0;               // > 0: write OUTPUT/profile.md of that many steps' operators
  int accumulate = 1;
  int64_t shuffle_window = 10000;
  bool skip_corrupt_records = false;
  int max_nonfinite = 5;         // stop after this many consecutive non-finite steps
  bool global_noise = true;
  bool cuda_graph = true;        // capture the step in a CUDA graph when possible
  int threads = 0;               // intra-op CPU threads (0: library default)
  // Fault injection for tests: the loss is NaN at steps [inject_nan_from, inject_nan_until).
  int64_t inject_nan_from = -1, inject_nan_until = -1;
  // Testing hooks that break the discriminator on purpose (tests show their checks catch it):
  // "shuffle_labels" (permuted replaced-token labels) or "zero_lr" (its own weights never move).
  std::string testing_break_discriminator;
  bool quiet = false;
};

// Fills -1 fields with the official defaults of `options.size` and checks the combination.
absl::Status ResolvePretrainDefaults(PretrainOptions* options);

absl::Status RunPretraining(PretrainOptions options);

}  // namespace electra

#endif  // ELECTRA_TRAIN_PRETRAINER_H_
