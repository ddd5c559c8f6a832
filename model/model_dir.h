// A model directory in HF transformers' layout: config.json + model.safetensors. Ours load with
// ElectraForPreTraining / ElectraForMaskedLM.from_pretrained, and directories saved by HF load
// here.
#ifndef ELECTRA_MODEL_MODEL_DIR_H_
#define ELECTRA_MODEL_MODEL_DIR_H_

#include <string>
#include <vector>

#include <torch/torch.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "model/config.h"

namespace electra {

// Writes DIR/config.json and DIR/model.safetensors (float32, or `dtype`) from the module's
// named parameters; each file atomically.
absl::Status SaveModelDir(const std::string& dir, const ElectraConfig& config,
                          const torch::nn::Module& module, torch::Dtype dtype = torch::kFloat32);

struct LoadOptions {
  // File tensors starting with one of these are ignored (e.g. "discriminator_predictions." when
  // a discriminator feeds a classifier).
  std::vector<std::string> ignore_prefixes;
  // Module parameters starting with one of these may be absent from the file (a fresh head).
  std::vector<std::string> allow_missing_prefixes;
  // Prefix added to file names before matching module names ("electra." maps an HF ElectraModel
  // directory onto a module whose backbone is `electra`).
  std::string add_prefix;
};

// Loads DIR/model.safetensors into the module's parameters (converting F16/BF16 to the
// parameter's dtype). Missing, unexpected and mis-shaped tensors are errors that name them.
absl::Status LoadModelDir(const std::string& dir, torch::nn::Module& module,
                          const LoadOptions& options = {});

// Reads DIR/config.json (with a clear error when DIR is not a model directory).
absl::StatusOr<ElectraConfig> ReadModelConfig(const std::string& dir);

}  // namespace electra

#endif  // ELECTRA_MODEL_MODEL_DIR_H_
