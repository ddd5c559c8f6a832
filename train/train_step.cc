#include "train/train_step.h"

#include <cmath>

#include "corpus/pretrain_stream.h"
#include "model/torch_compat.h"
#include "train/device.h"

#ifdef ELECTRA_WITH_CUDA
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

namespace electra {
namespace {

constexpr uint64_t kNoiseStream = 0x4e4f495345;  // "NOISE"
constexpr int kEagerStepsBeforeCapture = 3;        // warm-up: allocations, cuBLAS handles, autotuning

}  // namespace

struct TrainStep::Graph {
#ifdef ELECTRA_WITH_CUDA
  at::cuda::CUDAGraph graph;
#endif
};

TrainStep::TrainStep(Generator generator, Discriminator discriminator, FlatAdamW* optimizer,
                     DistributedContext* dist, torch::Device device, TrainStepOptions options)
    : generator_(std::move(generator)),
      discriminator_(std::move(discriminator)),
      optimizer_(optimizer),
      dist_(dist),
      device_(device),
      o_(std::move(options)),
      noise_gen_(MakeGenerator(device, o_.seed)) {
  auto f32 = torch::TensorOptions().dtype(torch::kFloat32).device(device);
  lr_ = torch::zeros({}, f32);
  loss_scale_ = torch::full({}, o_.precision == "fp16" ? 65536.0 : 1.0, f32);
  growth_tracker_ = torch::zeros({}, f32);
#ifdef ELECTRA_WITH_CUDA
  bool eligible = o_.cuda_graph && device.is_cuda() && o_.accumulate == 1 && !dist->active() &&
                  o_.inject_nan_from < 0;
  if (o_.cuda_graph && !eligible) {
    graph_note_ = "CUDA graphs off: they need one process, --accumulate=1 and no fault injection";
  }
  graph_failed_ = !eligible;
  noise_from_default_ = eligible;
#else
  graph_failed_ = true;
  if (o_.cuda_graph && device.is_cuda()) graph_note_ = "CUDA graphs unavailable in this build";
#endif
}

std::map<std::string, torch::Tensor> TrainStep::DeviceStep(const DeviceBatch& db, int64_t step,
                                                           const torch::Tensor& given_noise) {
  // Mixed precision on CUDA and (bf16) on the CPU; sampling, losses, metrics and the optimizer
  // stay fp32 either way.
  const bool autocast = o_.precision != "fp32";
  const auto autocast_dtype = o_.precision == "fp16" ? torch::kFloat16 : torch::kBFloat16;
  const int64_t local = db.input_ids.size(0), micro = local / o_.accumulate;
  const int64_t P = db.masked_positions.size(1);
  const int64_t V = generator_->electra->config.vocab_size;
  auto f32 = torch::TensorOptions().dtype(torch::kFloat32).device(device_);
  std::map<std::string, torch::Tensor> stats;
  auto add = [&](const std::string& k, const torch::Tensor& v) {
    torch::Tensor d = v.detach().to(torch::kFloat32);
    auto it = stats.find(k);
    if (it == stats.end()) {
      stats[k] = d;
    } else {
      it->second = it->second + d;
    }
  };

  optimizer_->ZeroGrad();
  // Normalise by the counts of the whole global batch (all ranks, all micro-batches).
  torch::Tensor counts = torch::stack({db.masked_weights.sum(), db.attention_mask.sum().to(torch::kFloat32)});
  dist_->AllReduceSum(counts);
  torch::Tensor gen_den = counts[0] + 1e-6, disc_den = counts[1] + 1e-6;
  torch::Tensor uniform;  // (local, P, V) sampling noise; the masked LM alone samples nothing
  if (!o_.objective.electra) {
  } else if (given_noise.defined()) {
    uniform = given_noise.to(device_, torch::kFloat32).narrow(0, o_.rank * local, local);
  } else if (o_.global_noise && !noise_from_default_) {
    // Each example's noise from a stream keyed by the step and its index in the global batch: the
    // same whatever the world size or the resume point, and each rank draws only its own share.
    uniform = torch::empty({local, P, V}, f32);
    const uint64_t step_key = MixSeed(o_.seed, kNoiseStream, step);
    for (int64_t i = 0; i < local; ++i) {
      noise_gen_.set_current_seed(MixSeed(step_key, o_.rank * local + i));
      uniform[i].uniform_(0.0, 1.0, noise_gen_);
    }
  } else {
    // Inside a CUDA graph: the default generator, whose offsets the graph advances on replay.
    uniform = torch::rand({o_.global_batch, P, V}, f32).narrow(0, o_.rank * local, local);
  }
  for (int j = 0; j < o_.accumulate; ++j) {
    DeviceBatch part = o_.accumulate == 1 ? db : SliceBatch(db, j * micro, micro);
    StepStats s;
    {
      AutocastScope scope(autocast, autocast_dtype, device_.type());
      s = o_.objective.electra
              ? ElectraForward(generator_, discriminator_, part, uniform.narrow(0, j * micro, micro), o_.objective)
              : MlmForward(generator_, part);
    }
    torch::Tensor gen_loss = s.gen_sum / gen_den, disc_loss = s.disc_sum / disc_den;
    torch::Tensor loss = o_.objective.electra
                             ? o_.objective.gen_weight * gen_loss + o_.objective.disc_weight * disc_loss
                             : gen_loss;
    if (step >= o_.inject_nan_from && step < o_.inject_nan_until) loss = loss * std::nan("");
    (o_.precision == "fp16" ? loss * loss_scale_ : loss).backward();
    add("gen_loss", gen_loss);
    add("disc_loss", disc_loss);
    add("loss", loss);
    add("gen_correct", s.gen_correct);
    add("gen_count", s.gen_count);
    add("disc_correct", s.disc_correct);
    add("disc_count", s.disc_count);
    add("true_pos", s.true_pos);
    add("false_pos", s.false_pos);
    add("false_neg", s.false_neg);
    add("replaced", s.replaced);
    add("auc_positive", s.auc_positive);
    add("auc_negative", s.auc_negative);
  }
  dist_->AllReduceGradients(*optimizer_);
  if (o_.precision == "fp16") {
    for (auto& g : optimizer_->flat_grads()) g.div_(loss_scale_);
  }
  torch::Tensor norm = optimizer_->Step(lr_);
  if (o_.precision == "fp16") {
    // Dynamic loss scaling: halve on overflow, double after 2000 clean steps.
    torch::Tensor finite = torch::isfinite(norm);
    growth_tracker_.copy_(torch::where(finite, growth_tracker_ + 1, torch::zeros_like(growth_tracker_)));
    torch::Tensor grow = growth_tracker_ >= 2000;
    loss_scale_.copy_(torch::where(finite, torch::where(grow, loss_scale_ * 2, loss_scale_), loss_scale_ * 0.5));
    growth_tracker_.copy_(torch::where(grow, torch::zeros_like(growth_tracker_), growth_tracker_));
  }
  add("grad_norm", torch::where(torch::isfinite(norm), norm, torch::zeros_like(norm)));
  add("lr", lr_);
  return stats;
}

std::map<std::string, torch::Tensor> TrainStep::RunWithNoise(const MaskedBatch& batch, int64_t step, double lr,
                                                             const torch::Tensor& uniform) {
  lr_.fill_(lr);
  return DeviceStep(ToDevice(batch, device_, false), step, uniform);
}

void TrainStep::CopyIn(const MaskedBatch& b) {
  bool nb = device_.is_cuda();
  static_batch_.input_ids.copy_(b.input_ids, nb);
  static_batch_.masked_ids.copy_(b.masked_ids, nb);
  static_batch_.attention_mask.copy_(b.attention_mask, nb);
  static_batch_.token_type_ids.copy_(b.token_type_ids, nb);
  static_batch_.masked_positions.copy_(b.masked_positions, nb);
  static_batch_.masked_weights.copy_(b.masked_weights, nb);
  static_batch_.masked_labels.copy_(b.masked_labels, nb);
}

std::map<std::string, torch::Tensor> TrainStep::Run(const MaskedBatch& batch, int64_t step, double lr) {
  lr_.fill_(lr);
  if (graph_failed_) {
    return DeviceStep(ToDevice(batch, device_, device_.is_cuda()), step);
  }
#ifdef ELECTRA_WITH_CUDA
  if (!static_batch_.input_ids.defined()) static_batch_ = ToDevice(batch, device_, false);
  bool same_shape = static_batch_.masked_positions.sizes() == batch.masked_positions.sizes() &&
                    static_batch_.input_ids.sizes() == batch.input_ids.sizes();
  if (!same_shape) {
    graph_failed_ = true;
    graph_note_ = "CUDA graph off: batch shapes change between steps";
    return DeviceStep(ToDevice(batch, device_, true), step);
  }
  CopyIn(batch);
  if (graph_ready_) {
    graph_->graph.replay();
    return static_stats_;
  }
  if (eager_steps_ < kEagerStepsBeforeCapture || o_.graph_dry_run) {
    ++eager_steps_;
    return DeviceStep(static_batch_, step);
  }
  // Capture this step (recording only), then replay it to execute it.
  at::autocast::set_autocast_cache_enabled(false);
  auto stream = c10::cuda::getStreamFromPool(false, device_.index());
  auto previous = c10::cuda::getCurrentCUDAStream(device_.index());
  stream.synchronize();
  previous.synchronize();
  graph_ = std::make_shared<Graph>();
  try {
    c10::cuda::CUDAStreamGuard guard(stream);
    graph_->graph.capture_begin();
    graph_ready_ = true;  // DeviceStep draws noise from the default generator while capturing
    try {
      static_stats_ = DeviceStep(static_batch_, step);
    } catch (...) {
      try {
        graph_->graph.capture_end();
      } catch (...) {
      }
      throw;
    }
    graph_->graph.capture_end();
  } catch (const std::exception& e) {
    graph_ready_ = false;
    graph_failed_ = true;
    graph_.reset();
    graph_note_ = std::string("CUDA graph capture failed, running eagerly: ") + e.what();
    torch::cuda::synchronize();
    return DeviceStep(static_batch_, step);
  }
  stream.synchronize();
  graph_note_ = "the training step runs as a captured CUDA graph";
  graph_->graph.replay();
  return static_stats_;
#else
  return DeviceStep(ToDevice(batch, device_, false), step);
#endif
}

}  // namespace electra
