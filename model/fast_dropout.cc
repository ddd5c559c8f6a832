#include "model/fast_dropout.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>

#include <cmath>
#include <mutex>

namespace electra {
namespace {

// A 32-bit integer finalizer (low-bias multiply-xorshift), two rounds keyed by both halves of the
// key and of the index. Plain 32-bit arithmetic: the loop below vectorizes (AVX2 where present).
inline uint32_t Mix(uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352du;
  x ^= x >> 15;
  x *= 0x846ca68bu;
  x ^= x >> 16;
  return x;
}

template <typename T>
__attribute__((target_clones("avx2", "default"))) void FillMask(T* out, int64_t begin, int64_t end, uint32_t k0,
                                                                 uint32_t k1, uint32_t threshold, float scale) {
  const uint32_t high = static_cast<uint32_t>(static_cast<uint64_t>(begin) >> 32);
  for (int64_t i = begin; i < end; ++i) {
    uint32_t h = Mix(Mix(static_cast<uint32_t>(i) ^ k0) ^ k1 ^ high);
    out[i] = static_cast<T>((h >> 8) >= threshold ? scale : 0.0f);  // 24 bits against p * 2^24
  }
}

}  // namespace

torch::Tensor DropoutMask(int64_t numel, double p, uint64_t key, torch::Dtype dtype) {
  torch::Tensor mask = torch::empty({numel}, torch::TensorOptions().dtype(dtype));
  const uint32_t threshold = static_cast<uint32_t>(std::llround(p * 16777216.0));
  const float scale = static_cast<float>(1.0 / (1.0 - p));
  const uint32_t k0 = static_cast<uint32_t>(key), k1 = static_cast<uint32_t>(key >> 32);
  // Blocks never straddle a 2^32 boundary of the index, so `high` is constant within one.
  constexpr int64_t kGrain = 1 << 15;
  at::parallel_for(0, numel, kGrain, [&](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end;) {
      int64_t stop = std::min<int64_t>(end, ((b >> 32) + 1) << 32);
      if (dtype == torch::kFloat32) {
        FillMask(mask.data_ptr<float>(), b, stop, k0, k1, threshold, scale);
      } else if (dtype == torch::kBFloat16) {
        FillMask(mask.data_ptr<at::BFloat16>(), b, stop, k0, k1, threshold, scale);
      } else {
        FillMask(mask.data_ptr<double>(), b, stop, k0, k1, threshold, scale);
      }
      b = stop;
    }
  });
  return mask;
}

torch::Tensor FastDropout(const torch::Tensor& x, double p, bool training) {
  if (!training || p <= 0) return x;
  const torch::Dtype dtype = x.scalar_type();
  if (!x.device().is_cpu() || (dtype != torch::kFloat32 && dtype != torch::kBFloat16 && dtype != torch::kFloat64)) {
    return torch::dropout(x, p, true);
  }
  if (p >= 1) return x * 0;
  uint64_t key;
  {
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    key = at::check_generator<at::CPUGeneratorImpl>(gen)->random64();
  }
  // The mask is a constant to autograd: the gradient is grad * mask, as torch::dropout's.
  return x * DropoutMask(x.numel(), p, key, dtype).view(x.sizes());
}

}  // namespace electra
