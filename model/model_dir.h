// A model directory in HF transformers' layout: config.json + model.safetensors. Ours load with
// ElectraForPreTraining / ElectraForMaskedLM.from_pretrained, and directories saved by HF load
// here.
#ifndef ELECTRA_MODEL_MODEL_DIR_H_
#define ELECTRA_MODEL_MODEL_DIR_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <torch/torch.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "corpus/file_manifest.h"
#include "model/config.h"

namespace electra {

struct SaveModelOptions {
  torch::Dtype dtype = torch::kFloat32;  // of model.safetensors' floating-point tensors
  // Further files (name, contents) written into the directory and listed in its manifest:
  // vocab.txt and tokenizer_config.json make a checkpoint's model directory self-contained.
  std::vector<std::pair<std::string, std::string>> extra_files;
};

// Writes DIR/config.json, DIR/model.safetensors (from the module's named parameters) and the
// extra files, each atomically, then DIR/manifest.json with the size and CRC-32C of each
// (corpus/file_manifest.h), so the directory can be verified even when copied out on its own.
// Returns that manifest.
absl::StatusOr<FileManifest> SaveModelDir(const std::string& dir, const ElectraConfig& config,
                                          const torch::nn::Module& module,
                                          const SaveModelOptions& options = {});

// Verifies every file of DIR against DIR/manifest.json. A directory without one is fine and
// unverified: an HF directory (`*note` left empty), or the model directory of a checkpoint written
// before checkpoints had manifests (`*note` says so, for the tool to print).
absl::Status VerifyModelDir(const std::string& dir, std::string* note);

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

// The tokenizer_config.json of a model directory, as HF's ElectraTokenizer writes it.
std::string TokenizerConfigJson(bool do_lower_case);

// DIR/tokenizer_config.json's do_lower_case: nullopt when the file or the key is absent; an error
// naming the file when it is not JSON or the key is not a boolean.
absl::StatusOr<std::optional<bool>> ReadDoLowerCase(const std::string& dir);

// Reads DIR/config.json (with a clear error when DIR is not a model directory).
absl::StatusOr<ElectraConfig> ReadModelConfig(const std::string& dir);

}  // namespace electra

#endif  // ELECTRA_MODEL_MODEL_DIR_H_
