// Dynamic masking for the generator's masked-LM task, computed per example on the CPU with a
// random stream keyed by (seed, the example's position in the data stream): so it is fresh every
// epoch, independent of the world size, and needs no state to resume.
//
// Official (default, pretrain_helpers.mask): candidates are real tokens other than [CLS],
// [SEP], [MASK] (so [UNK] may be masked); k = max(1, min(max_predictions, round(n * p))) with n
// the number of real tokens; k distinct candidates are chosen; each becomes [MASK] with
// probability 0.85 and keeps its token otherwise (never a random token).
// The official TF code draws the k positions with replacement (tf.random.categorical): a
// position drawn twice fills two slots (both count in the generator's loss) and, because its
// scatter_update averages duplicate updates, the discriminator sees floor(mean) of the two
// samples there, usually an unrelated id (about 7% of replaced tokens at k = 19 of ~126).
// `with_replacement` reproduces that; false draws k distinct positions, as the paper reads.
// Bernoulli (the PyTorch replication): every candidate is masked with probability p.
#ifndef ELECTRA_TRAIN_MASKING_H_
#define ELECTRA_TRAIN_MASKING_H_

#include <cstdint>
#include <vector>

#include <torch/torch.h>

#include "corpus/pretrain_stream.h"

namespace electra {

enum class MaskStyle { kOfficial, kBernoulli };

struct MaskingOptions {
  MaskStyle style = MaskStyle::kOfficial;
  double mask_prob = 0.15;
  double mask_token_prob = 0.85;  // of the chosen positions, the share that become [MASK]
  int max_predictions = 19;       // official: int((mask_prob + 0.005) * max_seq_length)
  bool with_replacement = true;   // official style: draw the k positions with replacement
  int32_t mask_id = 103, cls_id = 101, sep_id = 102, pad_id = 0;
  uint64_t seed = 0;
};

// int((p + 0.005) * T), as configure_pretraining.py computes max_predictions_per_seq.
int OfficialMaxPredictions(double mask_prob, int max_seq_length);

// A batch ready for the step, on the CPU. Shapes: B examples, T tokens, P prediction slots.
struct MaskedBatch {
  torch::Tensor input_ids;         // (B, T) int64, original tokens
  torch::Tensor masked_ids;        // (B, T) int64, with [MASK] at chosen positions
  torch::Tensor attention_mask;    // (B, T) int64
  torch::Tensor token_type_ids;    // (B, T) int64
  torch::Tensor masked_positions;  // (B, P) int64 (0 in unused slots)
  torch::Tensor masked_weights;    // (B, P) float32 (1 used, 0 unused)
  torch::Tensor masked_labels;     // (B, P) int64 original ids (0 in unused slots)
  int64_t index = 0;               // global batch number
};

// Masks one example (for tests): fills slot vectors of length `slots`.
void MaskExample(const PretrainingExample& e, uint64_t position, const MaskingOptions& o, int slots,
                 std::vector<int32_t>* masked_ids, std::vector<int64_t>* positions,
                 std::vector<float>* weights, std::vector<int64_t>* labels);

// Masks a stream batch. P = max_predictions (official) or the most any example needs (Bernoulli).
MaskedBatch MaskBatch(const StreamBatch& batch, const MaskingOptions& options);

}  // namespace electra

#endif  // ELECTRA_TRAIN_MASKING_H_
