// Pretraining checkpoints: DIR/checkpoints/step-NNNNNNNN/ holding
//   discriminator/, generator/   HF model directories (config.json + model.safetensors)
//   optimizer.safetensors        Adam moments by parameter name, skipped-step counters
//   rng.safetensors              random generator states (CPU, CUDA)
//   training_state.json          step, data position, schedule, the run's flags
//   manifest.json                size and CRC-32C of every file above (corpus/file_manifest.h)
//   DONE                         written last: the checkpoint is complete
// Everything is written into step-NNNNNNNN.tmp-<pid>/ and renamed when DONE is in place, so a
// directory named step-NNNNNNNN is complete unless damaged later; resuming checks every file
// against the manifest and its structure, and falls back to the previous checkpoint when one is
// missing, truncated or changed.
#ifndef ELECTRA_TRAIN_CHECKPOINT_H_
#define ELECTRA_TRAIN_CHECKPOINT_H_

#include <map>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "absl/status/statusor.h"
#include "model/config.h"

namespace electra {

constexpr int kCheckpointFormatVersion = 1;

struct TrainingState {
  int64_t step = 0;        // updates done
  int64_t next_batch = 0;  // global batch index the data stream continues from
  int64_t total_steps = 0;
  uint64_t seed = 0;
  int world_size = 1;
  std::string flags_json = "{}";  // the run's settings (a JSON object)
  // Wall-clock seconds of the step loop up to this step, summed over resumes (0 in checkpoints
  // written before it was recorded): what "minutes of pretraining" means in the tables.
  double train_seconds = 0;
  // Training FLOPs up to this step by the paper's counting (model/flops.h), summed over resumes
  // (0 in checkpoints written before it was recorded): the compute axis of ELECTRA against MLM.
  double train_flops = 0;
  // The checksum manifest the checkpoint was written with (set by SaveCheckpoint); empty in
  // checkpoints written before manifests, so a deleted manifest is told from an old checkpoint.
  std::string manifest;
};

struct CheckpointContents {
  ElectraConfig discriminator_config, generator_config;
  const torch::nn::Module* discriminator = nullptr;  // null for the masked LM alone (objective mlm)
  const torch::nn::Module* generator = nullptr;
  std::vector<std::pair<std::string, torch::Tensor>> optimizer;  // FlatAdamW::StateTensors()
  std::vector<std::pair<std::string, torch::Tensor>> rng;
  TrainingState state;
  // Copied into discriminator/ and generator/ with a tokenizer_config.json, so each model
  // directory is self-contained (finetune and HF AutoTokenizer read it).
  std::string vocab_path;
  bool lowercase = true;
};

std::string CheckpointDirName(int64_t step);

// Writes the checkpoint of `contents.state.step` under `checkpoints_dir` atomically.
absl::Status SaveCheckpoint(const std::string& checkpoints_dir, const CheckpointContents& contents);

// Complete checkpoints (DONE present) by step, newest first.
std::vector<std::pair<int64_t, std::string>> ListCheckpoints(const std::string& checkpoints_dir);

// Checks every file of a checkpoint directory: its size and CRC-32C against manifest.json (a
// mismatch is a DataLoss error naming the file and the recorded values), then its structure (the
// JSON parses, the safetensors headers and sizes agree). A checkpoint written before manifests
// gets the structural checks only. Returns its training state.
absl::StatusOr<TrainingState> ValidateCheckpoint(const std::string& dir);

// Deletes checkpoints other than the newest `keep` and the milestones (6.25, 12.5, 25, 50 and
// 100% of `total_steps`), and stale temporary directories of this process' predecessors.
absl::Status PruneCheckpoints(const std::string& checkpoints_dir, int keep, int64_t total_steps);

// Milestone steps for a schedule of `total_steps`.
std::vector<int64_t> MilestoneSteps(int64_t total_steps);

// "electra" or "mlm": the objective a checkpoint's run trained (its flags; electra when unnamed).
std::string ObjectiveOf(const TrainingState& state);

std::string TrainingStateToJson(const TrainingState& state);
absl::StatusOr<TrainingState> TrainingStateFromJson(const std::string& json, const std::string& where);

}  // namespace electra

#endif  // ELECTRA_TRAIN_CHECKPOINT_H_
