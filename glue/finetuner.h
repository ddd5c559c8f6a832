// //glue:finetune: fine-tunes a discriminator on one GLUE task, N runs with derived seeds, the
// official ELECTRA recipe (docs/finetuning.md): head = dropout + linear on [CLS]; Adam without bias
// correction, weight decay 0.01 except LayerNorm and biases, clip 1.0; the loss summed over the
// batch; warmup 10% + linear decay; layer-wise learning-rate decay; 3 epochs (10 for RTE and
// STS-B); MRPC and STS-B training pairs doubled with A and B swapped; STS-B as regression (MSE) on
// label / 5, predictions back on 0-5 and clamped there.
#ifndef ELECTRA_GLUE_FINETUNER_H_
#define ELECTRA_GLUE_FINETUNER_H_

#include <optional>
#include <string>

#include "absl/status/status.h"

namespace electra {

struct FinetuneOptions {
  std::string task;        // GLUE folder name
  std::string task_spec;   // or: the user's own task, described in a JSON file (glue/user_task.h)
  std::string data_dir;    // holds <task>/{train,dev,test}.tsv
  std::string model_dir;   // discriminator directory (ours or HF's)
  std::string output_dir;  // results go to <output_dir>/<task>/run-K/
  std::string vocab;       // default: <model_dir>/vocab.txt
  // Lowercase and strip accents. Unset: as the model directory's tokenizer_config.json says
  // (do_lower_case), or true when it says nothing. Set and contradicting it: an error unless
  // force_casing.
  std::optional<bool> lowercase;
  bool force_casing = false;
  int runs = 1;
  uint64_t seed = 42;      // run K uses seed + K
  int epochs = -1;         // -1: 3, or 10 for RTE and STS-B
  double lr = -1;          // -1: 3e-4 small, 1e-4 base, 5e-5 large (by hidden size)
  double layer_decay = -1; // -1: 0.8 (0.9 large)
  bool official_layer_depth = true;  // the official depth rule (head at L+2); false: L+1
  int batch_size = 32;
  int max_seq_length = 128;
  double warmup_fraction = 0.1;
  double dropout = 0.1;
  double weight_decay = 0.01;           // official; not on LayerNorm weights and biases
  std::string loss_reduction = "sum";   // sum over the batch (official) or mean (the PyTorch replication)
  bool scale_regression_targets = true; // STS-B trained on label / 5 (official); false: the raw 0-5 score
  int64_t train_limit = -1, dev_limit = -1, test_limit = -1;  // first N rows only (smoke tests)
  std::string device = "auto";
  std::string precision = "auto";  // auto (bf16 on CUDA and CPUs with native bf16, else fp32) | fp32 | bf16
  bool testing_emulated_bf16 = false;  // tests: bf16 on a CPU without native bf16
  bool save_model = false;
  bool skip_malformed = false;
  int threads = 0;
  int eval_batch_size = 128;
  bool quiet = false;
};

absl::Status RunFinetuning(FinetuneOptions options);

// Learning-rate multiplier of a parameter under layer-wise decay (official: embeddings depth 0,
// layer i depth i+1, head depth L+2, multiplier decay^(top - depth) with top = L+2; the
// non-official rule puts the head at L+1).
double LayerLrScale(const std::string& name, int num_layers, double decay, bool official_depth);

}  // namespace electra

#endif  // ELECTRA_GLUE_FINETUNER_H_
