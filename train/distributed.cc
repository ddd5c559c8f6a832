#include "train/distributed.h"

#include <cstdlib>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "model/torch_compat.h"

#if defined(USE_C10D_GLOO) || defined(USE_C10D_NCCL)
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#endif
#ifdef USE_C10D_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#ifdef USE_C10D_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

namespace electra {

#if TORCH_VERSION_MAJOR >= 2
using Backend = c10d::Backend;
#elif defined(USE_C10D_GLOO) || defined(USE_C10D_NCCL)
using Backend = c10d::ProcessGroup;
#endif

struct DistributedContext::Group {
#if defined(USE_C10D_GLOO) || defined(USE_C10D_NCCL)
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<Backend> backend;
#endif
};

DistributedContext::DistributedContext() = default;
DistributedContext::~DistributedContext() = default;
DistributedContext::DistributedContext(DistributedContext&&) noexcept = default;
DistributedContext& DistributedContext::operator=(DistributedContext&&) noexcept = default;

absl::StatusOr<DistributedContext> DistributedContext::FromEnvironment() {
  DistributedContext c;
  auto read_int = [](const char* name, int fallback, int* out) -> absl::Status {
    const char* v = std::getenv(name);
    if (v == nullptr || *v == '\0') {
      *out = fallback;
      return absl::OkStatus();
    }
    if (!absl::SimpleAtoi(v, out) || *out < 0) {
      return absl::InvalidArgumentError(absl::StrCat("environment variable ", name, "='", v, "' is not a valid number"));
    }
    return absl::OkStatus();
  };
  absl::Status s = read_int("WORLD_SIZE", 1, &c.world_size_);
  if (s.ok()) s = read_int("RANK", 0, &c.rank_);
  if (s.ok()) s = read_int("LOCAL_RANK", c.rank_, &c.local_rank_);
  if (s.ok()) s = read_int("MASTER_PORT", 29500, &c.master_port_);
  if (!s.ok()) return s;
  if (const char* addr = std::getenv("MASTER_ADDR"); addr != nullptr && *addr != '\0') c.master_addr_ = addr;
  if (c.world_size_ < 1) return absl::InvalidArgumentError("WORLD_SIZE must be at least 1");
  if (c.rank_ >= c.world_size_) {
    return absl::InvalidArgumentError(absl::StrCat("RANK=", c.rank_, " is not below WORLD_SIZE=", c.world_size_));
  }
  return c;
}

absl::Status DistributedContext::Connect(torch::Device device) {
  if (!active()) return absl::OkStatus();
#if defined(USE_C10D_GLOO) || defined(USE_C10D_NCCL)
  group_ = std::make_unique<Group>();
  try {
    c10d::TCPStoreOptions opts;
    opts.port = static_cast<uint16_t>(master_port_);
    opts.isServer = rank_ == 0;
    opts.numWorkers = world_size_;
    opts.timeout = std::chrono::minutes(5);
    group_->store = c10::make_intrusive<c10d::TCPStore>(master_addr_, opts);
    if (device.is_cuda()) {
#ifdef USE_C10D_NCCL
      group_->backend = c10::make_intrusive<c10d::ProcessGroupNCCL>(group_->store, rank_, world_size_);
#else
      return absl::FailedPreconditionError("this build has no NCCL: multi-process training on CUDA is unavailable");
#endif
    } else {
#ifdef USE_C10D_GLOO
      auto options = c10d::ProcessGroupGloo::Options::create();
      options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(master_addr_));
      group_->backend = c10::make_intrusive<c10d::ProcessGroupGloo>(group_->store, rank_, world_size_, options);
#else
      return absl::FailedPreconditionError("this build has no Gloo: multi-process training on the CPU is unavailable");
#endif
    }
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat("cannot join the process group at ", master_addr_, ":", master_port_,
                                               " as rank ", rank_, " of ", world_size_, ": ", e.what()));
  }
  return absl::OkStatus();
#else
  (void)device;
  return absl::FailedPreconditionError("this build has no c10d backend: multi-process training is unavailable");
#endif
}

void DistributedContext::AllReduceSum(torch::Tensor& t) {
#if defined(USE_C10D_GLOO) || defined(USE_C10D_NCCL)
  if (!active()) return;
  std::vector<torch::Tensor> tensors = {t};
  group_->backend->allreduce(tensors)->wait();
#else
  (void)t;
#endif
}

void DistributedContext::AllReduceGradients(FlatAdamW& optimizer) {
  if (!active()) return;
  for (auto& g : optimizer.flat_grads()) AllReduceSum(g);
}

void DistributedContext::BroadcastParameters(FlatAdamW& optimizer) {
#if defined(USE_C10D_GLOO) || defined(USE_C10D_NCCL)
  if (!active()) return;
  for (auto& p : optimizer.flat_params()) {
    std::vector<torch::Tensor> tensors = {p};
    group_->backend->broadcast(tensors)->wait();
  }
#else
  (void)optimizer;
#endif
}

void DistributedContext::Barrier() {
#if defined(USE_C10D_GLOO) || defined(USE_C10D_NCCL)
  if (!active()) return;
  group_->backend->barrier()->wait();
#endif
}

}  // namespace electra
