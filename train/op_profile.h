// Where CPU time goes, by operator: torch's profiler (the same collector as torch.profiler) turned
// on around a few steps, its events reduced to self time per operator name (time inside an
// operator minus the time of the operators it calls on the same thread), as
// torch.profiler's key_averages() table does.
#ifndef ELECTRA_TRAIN_OP_PROFILE_H_
#define ELECTRA_TRAIN_OP_PROFILE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace electra {

struct OpTime {
  std::string name;    // e.g. "aten::addmm"
  int64_t calls = 0;
  double self_ms = 0;  // summed over the profiled steps
};

struct OpProfile {
  std::vector<OpTime> ops;  // by self time, largest first
  double wall_ms = 0;       // from Start to Stop
  double self_ms = 0;       // all operators' self time
  int steps = 0;
};

// Matrix products (mm, addmm, bmm, matmul, linear's kernels, oneDNN's) as opposed to element-wise
// and data movement.
bool IsMatrixOp(const std::string& name);

// Starts collecting (CPU operators). One profile at a time per process.
absl::Status StartOpProfile();
// Stops and aggregates; `steps` is how many steps ran in between.
absl::StatusOr<OpProfile> StopOpProfile(int steps);

// A Markdown table of the top `rows` operators (ms per step, share, calls per step) with the matrix
// share and the wall time per step.
std::string OpProfileTable(const OpProfile& profile, int rows = 25);

}  // namespace electra

#endif  // ELECTRA_TRAIN_OP_PROFILE_H_
