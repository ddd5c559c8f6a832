// The official ELECTRA optimizer (AdamWeightDecayOptimizer): Adam without bias correction,
// decoupled weight decay (not on LayerNorm weights or biases), global-norm gradient clipping,
// and the linear warmup + linear decay schedule applied together.
//
// Parameters of a group live in one flat buffer (so do their gradients and the Adam moments):
// the update is a dozen whole-buffer kernels instead of a dozen per tensor, gradients can be
// all-reduced as one bucket per group, and nothing in Step() reads a value back to the host.
// A step whose gradient norm is not finite is skipped on the device (parameters and moments
// unchanged) and counted.
#ifndef ELECTRA_TRAIN_ADAMW_H_
#define ELECTRA_TRAIN_ADAMW_H_

#include <map>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "absl/status/status.h"

namespace electra {

struct ParamGroup {
  std::vector<std::string> names;
  std::vector<torch::Tensor> params;
  double weight_decay = 0.0;
  double lr_scale = 1.0;  // layer-wise learning-rate decay in fine-tuning
};

struct AdamWOptions {
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-6;
  double clip_norm = 1.0;  // <= 0: no clipping
  // The official optimizer has no bias correction, so its first updates are up to
  // sqrt(1 - beta2) / (1 - beta1) = 3.2x larger than bias-corrected Adam's; true divides the
  // moments by (1 - beta^t) as torch.optim.AdamW does.
  bool bias_correction = false;
};

// True for names that take no weight decay (LayerNorm weights and all biases, as the official
// exclude_from_weight_decay=["LayerNorm", "layer_norm", "bias"]).
bool ExcludedFromWeightDecay(const std::string& name);

// Groups named parameters into decay / no-decay groups (shared tensors appear once).
std::vector<ParamGroup> DecayGroups(const std::vector<std::pair<std::string, torch::Tensor>>& params,
                                    double weight_decay);

class FlatAdamW {
 public:
  // Moves every parameter into its group's flat buffer (the tensors keep their identity; their
  // storage becomes a view) and gives each a gradient that is a view of a flat gradient buffer.
  FlatAdamW(std::vector<ParamGroup> groups, AdamWOptions options);

  void ZeroGrad();
  // Clips, updates with learning rate `lr` (a 0-dim float tensor on the parameters' device, so a
  // captured graph can replay with new values) and returns the gradient norm before clipping
  // (0-dim, on the device). Non-finite norms skip the update.
  torch::Tensor Step(const torch::Tensor& lr);

  // Flat gradient and parameter buffers (for all-reduce and broadcast).
  std::vector<torch::Tensor>& flat_grads() { return grads_; }
  std::vector<torch::Tensor>& flat_params() { return flat_params_; }
  // Steps skipped because the gradient was not finite (0-dim int64 on the device); and the
  // current run of consecutive skipped steps.
  const torch::Tensor& skipped_steps() const { return skipped_; }
  const torch::Tensor& consecutive_skipped() const { return consecutive_; }

  // Moment tensors by parameter name ("m/<name>", "v/<name>") for checkpoints, plus counters.
  std::vector<std::pair<std::string, torch::Tensor>> StateTensors() const;
  absl::Status LoadState(const std::map<std::string, torch::Tensor>& state);

  const std::vector<ParamGroup>& groups() const { return groups_; }

 private:
  std::vector<ParamGroup> groups_;
  AdamWOptions options_;
  std::vector<torch::Tensor> flat_params_, grads_, m_, v_;
  torch::Tensor skipped_, consecutive_;
  torch::Tensor applied_;  // updates applied (bias correction's t), float32
};

// lr(t) = peak * max(0, 1 - t/total) * min(1, t/warmup), with t the number of updates done
// before this one (the official schedule: step 0 has learning rate 0).
double LearningRate(double peak, int64_t step, int64_t total_steps, int64_t warmup_steps);

}  // namespace electra

#endif  // ELECTRA_TRAIN_ADAMW_H_
