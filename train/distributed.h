// Data parallelism through PyTorch's own c10d: processes are launched as torchrun
// --no-python launches them (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT), meet at a
// TCPStore on MASTER_ADDR:MASTER_PORT, and all-reduce with ProcessGroupGloo (CPU tensors) or
// ProcessGroupNCCL (CUDA tensors, in a CUDA build with NCCL headers). With WORLD_SIZE unset or 1
// every call is a no-op.
#ifndef ELECTRA_TRAIN_DISTRIBUTED_H_
#define ELECTRA_TRAIN_DISTRIBUTED_H_

#include <memory>
#include <string>

#include <torch/torch.h>

#include "absl/status/statusor.h"
#include "train/adamw.h"

namespace electra {

class DistributedContext {
 public:
  // Reads the launcher's environment variables (errors name the bad one).
  static absl::StatusOr<DistributedContext> FromEnvironment();
  DistributedContext();
  ~DistributedContext();
  DistributedContext(DistributedContext&&) noexcept;
  DistributedContext& operator=(DistributedContext&&) noexcept;

  // Joins the process group for tensors on `device` (Gloo for CPU, NCCL for CUDA).
  absl::Status Connect(torch::Device device);

  int rank() const { return rank_; }
  int world_size() const { return world_size_; }
  int local_rank() const { return local_rank_; }
  bool active() const { return world_size_ > 1; }

  // Sums `t` over all processes, in place.
  void AllReduceSum(torch::Tensor& t);
  // Sums the optimizer's flat gradient buckets over all processes, in place.
  void AllReduceGradients(FlatAdamW& optimizer);
  // Copies rank 0's parameters to every process.
  void BroadcastParameters(FlatAdamW& optimizer);
  void Barrier();

 private:
  struct Group;
  int rank_ = 0, world_size_ = 1, local_rank_ = 0;
  std::string master_addr_ = "127.0.0.1";
  int master_port_ = 29500;
  std::unique_ptr<Group> group_;
};

}  // namespace electra

#endif  // ELECTRA_TRAIN_DISTRIBUTED_H_
