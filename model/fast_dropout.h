// Dropout whose mask comes from a counter-based hash instead of torch's per-element Bernoulli
// draws. On the CPU, LibTorch 1.13's bernoulli_ draws each element from the sequential mt19937
// generator: measured 12% of a `mini` pretraining step (135 ms of 1.19 s, docs/benchmarks.md).
// Here each element's keep/drop is a hash of (its index, a 64-bit key) computed in parallel
// vectorized blocks, and the key is one draw from torch's default CPU generator per call, so
// masks stay deterministic for a seed, resume exactly (the generator's state is checkpointed) and
// do not depend on the thread count. Elements are kept with probability 1 - p (to 2^-24) and
// scaled by 1 / (1 - p), as torch::dropout does; the backward pass multiplies by the same mask.
// Other devices use torch::dropout.
#ifndef ELECTRA_MODEL_FAST_DROPOUT_H_
#define ELECTRA_MODEL_FAST_DROPOUT_H_

#include <cstdint>

#include <torch/torch.h>

namespace electra {

// `x` with dropout `p` applied when `training` (and p > 0), else `x` itself.
torch::Tensor FastDropout(const torch::Tensor& x, double p, bool training);

// The mask FastDropout multiplies by: `scale` where an element is kept, 0 where dropped, in
// `dtype`, for element indices [0, numel) under `key`. Exposed for tests.
torch::Tensor DropoutMask(int64_t numel, double p, uint64_t key, torch::Dtype dtype);

}  // namespace electra

#endif  // ELECTRA_MODEL_FAST_DROPOUT_H_
