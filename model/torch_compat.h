// The differences between Debian's LibTorch 1.13 (CPU) and a PyTorch 2.x wheel's LibTorch
// (CUDA), in one place.
#ifndef ELECTRA_MODEL_TORCH_COMPAT_H_
#define ELECTRA_MODEL_TORCH_COMPAT_H_

#include <ATen/autocast_mode.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <cmath>
#include <limits>

#include "model/fast_dropout.h"

#if TORCH_VERSION_MAJOR >= 2
#define ELECTRA_HAS_SDPA 1
#else
#define ELECTRA_HAS_SDPA 0
#endif

namespace electra {

// Scaled dot-product attention: softmax(q k^T / sqrt(d), masked) v, with dropout on the
// weights in training. q, k, v: (B, A, T, D); keep: (B, 1, 1, T) bool, true where a key may be
// attended to. Uses the fused kernels (flash / memory-efficient) on torch 2.x.
inline torch::Tensor Attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                               const torch::Tensor& keep, double dropout, bool training) {
#if ELECTRA_HAS_SDPA
  return at::scaled_dot_product_attention(q, k, v, keep, training ? dropout : 0.0, false);
#else
  auto scores = torch::matmul(q, k.transpose(-1, -2)) / std::sqrt(static_cast<double>(q.size(-1)));
  scores = scores.masked_fill(keep.logical_not(), -std::numeric_limits<float>::infinity());
  auto probs = torch::softmax(scores, -1, torch::kFloat32);  // fp32 under autocast, as CUDA's
  probs = FastDropout(probs, dropout, training);
  return torch::matmul(probs, v);
#endif
}

// Autocast (mixed precision): bf16 or fp16 for matrix products, fp32 elsewhere, on CUDA or (bf16)
// on the CPU. The CPU's autocast in LibTorch 1.13 leaves LayerNorm and softmax to their input's
// type, so the model casts their inputs to fp32 itself (ToFloat), as CUDA's autocast does.
class AutocastScope {
 public:
  AutocastScope(bool enabled, torch::Dtype dtype, torch::DeviceType device = torch::kCUDA)
      : enabled_(enabled), cpu_(device == torch::kCPU) {
    if (!enabled_) return;
#if TORCH_VERSION_MAJOR >= 2
    const at::DeviceType type = cpu_ ? at::kCPU : at::kCUDA;
    prev_dtype_ = at::autocast::get_autocast_dtype(type);
    prev_enabled_ = at::autocast::is_autocast_enabled(type);
    at::autocast::set_autocast_dtype(type, dtype);
    at::autocast::set_autocast_enabled(type, true);
#else
    if (cpu_) {
      prev_dtype_ = at::autocast::get_autocast_cpu_dtype();
      prev_enabled_ = at::autocast::is_cpu_enabled();
      at::autocast::set_autocast_cpu_dtype(dtype);
      at::autocast::set_cpu_enabled(true);
    } else {
      prev_dtype_ = at::autocast::get_autocast_gpu_dtype();
      prev_enabled_ = at::autocast::is_enabled();
      at::autocast::set_autocast_gpu_dtype(dtype);
      at::autocast::set_enabled(true);
    }
#endif
  }
  ~AutocastScope() {
    if (!enabled_) return;
    at::autocast::clear_cache();
#if TORCH_VERSION_MAJOR >= 2
    const at::DeviceType type = cpu_ ? at::kCPU : at::kCUDA;
    at::autocast::set_autocast_enabled(type, prev_enabled_);
    at::autocast::set_autocast_dtype(type, prev_dtype_);
#else
    if (cpu_) {
      at::autocast::set_cpu_enabled(prev_enabled_);
      at::autocast::set_autocast_cpu_dtype(prev_dtype_);
    } else {
      at::autocast::set_enabled(prev_enabled_);
      at::autocast::set_autocast_gpu_dtype(prev_dtype_);
    }
#endif
  }
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool enabled_;
  bool cpu_;
  bool prev_enabled_ = false;
  at::ScalarType prev_dtype_ = at::kHalf;
};

// `x` in fp32 (itself when it already is): the input of LayerNorm and softmax under autocast.
inline torch::Tensor ToFloat(const torch::Tensor& x) {
  return x.scalar_type() == torch::kFloat32 ? x : x.to(torch::kFloat32);
}

}  // namespace electra

#endif  // ELECTRA_MODEL_TORCH_COMPAT_H_
