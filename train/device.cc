#include "train/device.h"

#include <dlfcn.h>

#include <ATen/CPUGeneratorImpl.h>

#ifdef ELECTRA_WITH_CUDA
#include <ATen/cuda/CUDAGeneratorImpl.h>
#endif

namespace electra {

absl::StatusOr<torch::Device> ResolveDevice(const std::string& flag, int local_rank) {
  bool cuda = torch::cuda::is_available();
  if (flag == "cpu") return torch::Device(torch::kCPU);
  if (flag == "cuda" || flag == "auto") {
    if (cuda) {
      int n = static_cast<int>(torch::cuda::device_count());
      return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(local_rank % std::max(1, n)));
    }
    if (flag == "cuda") {
      return absl::FailedPreconditionError(
          "--device=cuda but no CUDA device is available (this build or machine has none); use --device=cpu");
    }
    return torch::Device(torch::kCPU);
  }
  return absl::InvalidArgumentError("--device: must be auto, cpu or cuda, not '" + flag + "'");
}

at::Generator MakeGenerator(torch::Device device, uint64_t seed) {
#ifdef ELECTRA_WITH_CUDA
  if (device.is_cuda()) {
    at::Generator g = at::cuda::detail::createCUDAGenerator(device.index());
    g.set_current_seed(seed);
    return g;
  }
#endif
  return at::detail::createCPUGenerator(seed);
}

std::vector<std::pair<std::string, torch::Tensor>> DefaultGeneratorStates(torch::Device device) {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  auto cpu = at::detail::getDefaultCPUGenerator();
  {
    std::lock_guard<std::mutex> lock(cpu.mutex());
    out.emplace_back("cpu", cpu.get_state());
  }
#ifdef ELECTRA_WITH_CUDA
  if (device.is_cuda()) {
    auto g = at::cuda::detail::getDefaultCUDAGenerator(device.index());
    std::lock_guard<std::mutex> lock(g.mutex());
    out.emplace_back("cuda", g.get_state());
  }
#endif
  return out;
}

void RestoreDefaultGeneratorStates(torch::Device device,
                                   const std::vector<std::pair<std::string, torch::Tensor>>& states) {
  for (const auto& [name, state] : states) {
    if (name == "cpu") {
      auto cpu = at::detail::getDefaultCPUGenerator();
      std::lock_guard<std::mutex> lock(cpu.mutex());
      cpu.set_state(state);
    }
#ifdef ELECTRA_WITH_CUDA
    if (name == "cuda" && device.is_cuda()) {
      auto g = at::cuda::detail::getDefaultCUDAGenerator(device.index());
      std::lock_guard<std::mutex> lock(g.mutex());
      g.set_state(state);
    }
#endif
  }
}

void SeedEverything(uint64_t seed) { torch::manual_seed(seed); }

void SetCpuThreads(int threads) {
  if (threads > 0) torch::set_num_threads(threads);
  threads = torch::get_num_threads();
  // Looked up at run time: present with OpenBLAS, absent with another BLAS.
  using SetThreads = void (*)(int);
  if (auto set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) set(threads);
}

}  // namespace electra
