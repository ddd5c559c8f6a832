// One ELECTRA update on the device: forward of both towers (per micro-batch), backward, the
// gradient all-reduce, clipping and AdamW, and the statistics, all without reading anything back
// to the host. On CUDA it can be captured once in a CUDA graph and replayed every step (launch
// overhead dominates small models); if capture fails the step runs eagerly.
#ifndef ELECTRA_TRAIN_TRAIN_STEP_H_
#define ELECTRA_TRAIN_TRAIN_STEP_H_

#include <map>
#include <memory>
#include <string>

#include <torch/torch.h>

#include "model/electra.h"
#include "train/adamw.h"
#include "train/distributed.h"
#include "train/electra_step.h"

namespace electra {

struct TrainStepOptions {
  ObjectiveOptions objective;
  int accumulate = 1;
  int64_t global_batch = 0;  // examples per update over all ranks
  int rank = 0;
  // Sampling noise: each example's from a stream keyed by the step and its index in the global
  // batch (independent of the world size; each rank draws only its share), or from the default
  // generator (CUDA graphs).
  bool global_noise = true;
  uint64_t seed = 0;
  std::string precision = "fp32";  // fp32 | bf16 | fp16 (dynamic loss scaling)
  bool cuda_graph = false;         // capture the step (CUDA, one process, one micro-batch)
  bool graph_dry_run = false;      // tests: the graph-mode step (same noise source) without capturing
  int64_t inject_nan_from = -1, inject_nan_until = -1;  // testing hook
};

class TrainStep {
 public:
  TrainStep(Generator generator, Discriminator discriminator, FlatAdamW* optimizer, DistributedContext* dist,
            torch::Device device, TrainStepOptions options);

  // One update with global batch `step` (this rank's share in `batch`, on the CPU) at learning
  // rate `lr`. Returns the statistics as device tensors (valid until the next call).
  std::map<std::string, torch::Tensor> Run(const MaskedBatch& batch, int64_t step, double lr);
  // The same (eager) with given sampling noise `uniform` (global batch, P, V) instead of the
  // step's own draw: golden tests compare whole updates with an independent implementation.
  std::map<std::string, torch::Tensor> RunWithNoise(const MaskedBatch& batch, int64_t step, double lr,
                                                    const torch::Tensor& uniform);

  bool graph_active() const { return graph_ready_; }
  const std::string& graph_note() const { return graph_note_; }
  torch::Tensor loss_scale() const { return loss_scale_; }

 private:
  // The device work of a step on `batch` (already on the device).
  std::map<std::string, torch::Tensor> DeviceStep(const DeviceBatch& batch, int64_t step,
                                                  const torch::Tensor& given_noise = {});
  void CopyIn(const MaskedBatch& batch);

  Generator generator_;
  Discriminator discriminator_;
  FlatAdamW* optimizer_;
  DistributedContext* dist_;
  torch::Device device_;
  TrainStepOptions o_;
  at::Generator noise_gen_;
  torch::Tensor lr_;
  torch::Tensor loss_scale_, growth_tracker_;  // fp16
  // CUDA graph state.
  struct Graph;
  std::shared_ptr<Graph> graph_;
  bool graph_ready_ = false;
  bool graph_failed_ = false;
  bool noise_from_default_ = false;  // graph mode draws noise from the default generator
  std::string graph_note_;
  int64_t eager_steps_ = 0;
  DeviceBatch static_batch_;
  std::map<std::string, torch::Tensor> static_stats_;
};

}  // namespace electra

#endif  // ELECTRA_TRAIN_TRAIN_STEP_H_
