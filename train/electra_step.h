// The ELECTRA pretraining objective: the generator's masked-LM loss at the masked positions,
// Gumbel-max sampling of replacements (fp32, no gradient), and the discriminator's
// replaced-token-detection loss over all real tokens; loss = gen + 50 * disc.
// Shapes: B batch, T tokens, P prediction slots, V vocabulary, Hg generator hidden size.
#ifndef ELECTRA_TRAIN_ELECTRA_STEP_H_
#define ELECTRA_TRAIN_ELECTRA_STEP_H_

#include <torch/torch.h>

#include "model/electra.h"
#include "train/masking.h"

namespace electra {

struct ObjectiveOptions {
  // false: BERT's masked LM alone (the official electra_objective=False): one encoder, the loss at
  // the masked positions, no sampling and no discriminator.
  bool electra = true;
  double gen_weight = 1.0;
  double disc_weight = 50.0;
  double temperature = 1.0;
  // Testing hook: the discriminator learns from randomly permuted labels (a broken
  // discriminator that tests must catch: it can learn the base rate and nothing else).
  bool testing_shuffle_labels = false;
};

// Sums for the loss and the metrics (device tensors, read only when logging). The losses are
// sums over the batch: the caller divides by the counts of the whole global batch (official:
// sum / (count + 1e-6)), so micro-batches and ranks add up to exactly the full-batch loss.
struct StepStats {
  torch::Tensor gen_sum, disc_sum;          // 0-dim, with gradient
  torch::Tensor gen_correct, gen_count;     // masked-LM accuracy
  torch::Tensor disc_correct, disc_count;   // all real tokens
  torch::Tensor true_pos, false_pos, false_neg;  // replaced = positive
  torch::Tensor replaced;                   // replaced tokens
  // (kAucBins) histograms of the discriminator's logits on real tokens, replaced (positive)
  // and original (negative): the ROC AUC of a logging window (disc_metrics.h).
  torch::Tensor auc_positive, auc_negative;
};

// Tensors of a masked batch on the device (see MaskedBatch).
struct DeviceBatch {
  torch::Tensor input_ids, masked_ids, attention_mask, token_type_ids;
  torch::Tensor masked_positions, masked_weights, masked_labels;
};
DeviceBatch ToDevice(const MaskedBatch& batch, torch::Device device, bool non_blocking = false);

// Gumbel-max sampling: argmax(logits / T + g), g = -log(-log(U + 1e-9) + 1e-9), in float32.
// `uniform` (same shape as logits) supplies U.
torch::Tensor SampleTokens(const torch::Tensor& logits, const torch::Tensor& uniform, double temperature);

// The discriminator's input: `input_ids` with the sampled tokens at the used slots' positions.
// A position named by several slots (the official with-replacement masking) gets the integer
// mean of their samples, floor(sum / count), as the official scatter_update computes it.
torch::Tensor ReplaceTokens(const torch::Tensor& input_ids, const torch::Tensor& positions,
                            const torch::Tensor& weights, const torch::Tensor& sampled);

// Forward pass of both towers. `uniform` (B, P, V) float32 holds the sampling noise U.
StepStats ElectraForward(Generator& generator, Discriminator& discriminator, const DeviceBatch& batch,
                         const torch::Tensor& uniform, const ObjectiveOptions& options);

// Forward pass of a masked LM alone (objective mlm): `model`'s loss at the masked positions. The
// discriminator's sums are zero (disc_count 0), so the logs and metrics keep their shape.
StepStats MlmForward(Generator& model, const DeviceBatch& batch);

// Slices rows [begin, begin + n) of every tensor of a batch.
DeviceBatch SliceBatch(const DeviceBatch& batch, int64_t begin, int64_t n);

}  // namespace electra

#endif  // ELECTRA_TRAIN_ELECTRA_STEP_H_
