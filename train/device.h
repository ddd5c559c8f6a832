// Device selection and random generators, the same on CPU-only and CUDA builds.
#ifndef ELECTRA_TRAIN_DEVICE_H_
#define ELECTRA_TRAIN_DEVICE_H_

#include <string>
#include <utility>
#include <vector>

#include <torch/torch.h>

#include "absl/status/statusor.h"

namespace electra {

// "auto" -> CUDA when available, else CPU; "cuda" without a GPU is an error. `local_rank`
// picks the GPU of a process on a multi-GPU machine.
absl::StatusOr<torch::Device> ResolveDevice(const std::string& flag, int local_rank = 0);

// A generator of its own on `device`, seeded.
at::Generator MakeGenerator(torch::Device device, uint64_t seed);

// The default generators' states (CPU, and the device's when it is CUDA), for checkpoints.
std::vector<std::pair<std::string, torch::Tensor>> DefaultGeneratorStates(torch::Device device);
void RestoreDefaultGeneratorStates(torch::Device device, const std::vector<std::pair<std::string, torch::Tensor>>& states);

// CPU threads for tensor work: torch's intra-op threads and, when the BLAS is OpenBLAS (Debian's
// LibTorch), OpenBLAS's own thread pool, which otherwise keeps its default size and its idle
// workers spin in sched_yield beside torch's threads (measured: 31% of all CPU samples of a tiny
// pretraining run, and two concurrent runs slowed each other 2x). `threads` <= 0 keeps torch's
// default and gives OpenBLAS the same number.
void SetCpuThreads(int threads);

// Whether this CPU computes bf16 matrix products natively (AVX512_BF16 or AMX-BF16, read with
// cpuid). Without them oneDNN emulates bf16 and is an order of magnitude slower than fp32 (measured
// 13x on a Zen 3 EPYC).
bool CpuHasNativeBf16();
// The capabilities CpuHasNativeBf16 looks for, as "avx512_bf16 no, amx_bf16 no", for messages.
std::string CpuBf16Description();

// The precision a run trains and predicts in, from --precision (auto | fp32 | bf16 | fp16):
// auto is bf16 on CUDA, bf16 on a CPU with native bf16, else fp32. bf16 on a CPU without it is an
// error naming the missing capability, unless `allow_emulated_bf16` (tests: emulated bf16 gives the
// same numerics, slowly); fp16 needs CUDA.
absl::StatusOr<std::string> ResolvePrecision(const std::string& flag, torch::Device device,
                                             bool allow_emulated_bf16 = false);

// Seeds torch's default generators (CPU and CUDA).
void SeedEverything(uint64_t seed);

}  // namespace electra

#endif  // ELECTRA_TRAIN_DEVICE_H_
