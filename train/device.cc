#include "train/device.h"

#include <cpuid.h>
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

namespace {

struct Bf16Features {
  bool avx512_bf16 = false, amx_bf16 = false;
};

Bf16Features ReadBf16Features() {
  Bf16Features f;
  unsigned eax, ebx, ecx, edx;
  if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) {
    f.amx_bf16 = (edx >> 22) & 1;  // CPUID.(EAX=7,ECX=0):EDX[22]
    if (eax >= 1 && __get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx)) {
      f.avx512_bf16 = (eax >> 5) & 1;  // CPUID.(EAX=7,ECX=1):EAX[5]
    }
  }
  return f;
}

}  // namespace

bool CpuHasNativeBf16() {
  static const Bf16Features f = ReadBf16Features();
  return f.avx512_bf16 || f.amx_bf16;
}

std::string CpuBf16Description() {
  Bf16Features f = ReadBf16Features();
  return std::string("avx512_bf16 ") + (f.avx512_bf16 ? "yes" : "no") + ", amx_bf16 " + (f.amx_bf16 ? "yes" : "no");
}

absl::StatusOr<std::string> ResolvePrecision(const std::string& flag, torch::Device device, bool allow_emulated_bf16) {
  if (flag != "auto" && flag != "fp32" && flag != "bf16" && flag != "fp16") {
    return absl::InvalidArgumentError("--precision: must be auto, fp32, bf16 or fp16, not '" + flag + "'");
  }
  if (device.is_cuda()) return flag == "auto" ? std::string("bf16") : flag;
  if (flag == "auto") return std::string(CpuHasNativeBf16() ? "bf16" : "fp32");
  if (flag == "fp16") {
    return absl::InvalidArgumentError("--precision=fp16 needs a CUDA device (the CPU has no fp16 matrix units); "
                                      "use --precision=auto, bf16 or fp32");
  }
  if (flag == "bf16" && !CpuHasNativeBf16() && !allow_emulated_bf16) {
    return absl::FailedPreconditionError(
        "--precision=bf16 needs a CPU with native bf16 matrix instructions, and this one has none (" +
        CpuBf16Description() + "): oneDNN would emulate bf16 an order of magnitude slower than fp32. "
        "Use --precision=auto (fp32 here) or fp32");
  }
  return flag;
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
