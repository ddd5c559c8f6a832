#include "model/model_dir.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/match.h"
#include "base/file_util.h"
#include "model/safetensors.h"
#include "nlohmann/json.hpp"

namespace electra {
namespace {

// Tensors HF may store that are not parameters here.
bool KnownExtra(const std::string& name) {
  return absl::EndsWith(name, "embeddings.position_ids") || name == "generator_lm_head.weight";
}

bool HasPrefix(const std::string& name, const std::vector<std::string>& prefixes) {
  for (const auto& p : prefixes) {
    if (absl::StartsWith(name, p)) return true;
  }
  return false;
}

std::string ShapeString(torch::IntArrayRef shape) {
  return absl::StrCat("[", absl::StrJoin(shape.vec(), ", "), "]");
}

}  // namespace

absl::StatusOr<FileManifest> SaveModelDir(const std::string& dir, const ElectraConfig& config,
                                          const torch::nn::Module& module, const SaveModelOptions& options) {
  absl::Status s = MakeDirectories(dir);
  if (!s.ok()) return s;
  std::vector<std::pair<std::string, torch::Tensor>> tensors;
  for (const auto& item : module.named_parameters(true)) {
    torch::Tensor t = item.value().detach();
    if (t.is_floating_point()) t = t.to(options.dtype);
    tensors.emplace_back(item.key(), t);
  }
  // Serialized here rather than by WriteSafetensors so the checksum is taken from the bytes
  // being written.
  absl::StatusOr<std::string> weights = SerializeSafetensors(tensors, {{"format", "pt"}});
  if (!weights.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(JoinPath(dir, "model.safetensors"), ": ", weights.status().message()));
  }
  FileManifest manifest;
  s = WriteRecorded(dir, "model.safetensors", *weights, &manifest);
  if (s.ok()) s = WriteRecorded(dir, "config.json", ConfigToJson(config), &manifest);
  for (const auto& [name, contents] : options.extra_files) {
    if (s.ok()) s = WriteRecorded(dir, name, contents, &manifest);
  }
  if (s.ok()) s = WriteManifest(dir, manifest).status();
  if (!s.ok()) return s;
  return manifest;
}

absl::Status VerifyModelDir(const std::string& dir, std::string* note) {
  note->clear();
  absl::StatusOr<VerifySummary> summary = VerifyDirectory(dir);
  if (!summary.ok()) return summary.status();
  // A model directory inside a complete checkpoint (step-N/discriminator) without a manifest was
  // written before manifests existed; elsewhere it is HF's or copied out, and says nothing.
  std::string parent = Dirname(dir.size() > 1 && dir.back() == '/' ? dir.substr(0, dir.size() - 1) : dir);
  if (!summary->has_manifest && PathExists(JoinPath(parent, "DONE"))) {
    *note = absl::StrCat(dir, " has no ", kManifestName,
                         " (a checkpoint written before checksums were recorded): its files are not verified");
  }
  return absl::OkStatus();
}

std::string TokenizerConfigJson(bool do_lower_case) {
  nlohmann::ordered_json tok;
  tok["tokenizer_class"] = "ElectraTokenizer";
  tok["do_lower_case"] = do_lower_case;
  tok["strip_accents"] = nullptr;
  tok["model_max_length"] = 512;
  return tok.dump(2) + "\n";
}

absl::StatusOr<std::optional<bool>> ReadDoLowerCase(const std::string& dir) {
  const std::string path = JoinPath(dir, "tokenizer_config.json");
  if (!PathExists(path)) return std::optional<bool>();
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return absl::DataLossError(path + ": not a JSON object (expected HF's tokenizer settings, e.g. {\"do_lower_case\": true})");
  }
  if (!j.contains("do_lower_case") || j["do_lower_case"].is_null()) return std::optional<bool>();
  if (!j["do_lower_case"].is_boolean()) return absl::DataLossError(path + ": do_lower_case is not true or false");
  return std::optional<bool>(j["do_lower_case"].get<bool>());
}

absl::StatusOr<ElectraConfig> ReadModelConfig(const std::string& dir) {
  std::string path = JoinPath(dir, "config.json");
  if (!PathExists(path)) {
    return absl::NotFoundError(absl::StrCat(dir, " is not a model directory (no config.json); pass a "
                                                 "directory written by pretrain or by HF save_pretrained"));
  }
  return ReadConfig(path);
}

absl::Status LoadModelDir(const std::string& dir, torch::nn::Module& module, const LoadOptions& options) {
  std::string path = JoinPath(dir, "model.safetensors");
  if (!PathExists(path)) {
    if (PathExists(JoinPath(dir, "pytorch_model.bin"))) {
      return absl::FailedPreconditionError(absl::StrCat(
          dir, " holds pytorch_model.bin (pickle) but no model.safetensors; re-save it with HF "
               "save_pretrained(dir, safe_serialization=True)"));
    }
    return absl::NotFoundError(absl::StrCat("no model.safetensors in ", dir));
  }
  absl::StatusOr<SafetensorsFile> file = SafetensorsFile::Read(path);
  if (!file.ok()) return file.status();

  auto params = module.named_parameters(true);
  std::set<std::string> loaded;
  std::vector<std::string> extra;
  torch::NoGradGuard no_grad;
  for (const SafetensorsEntry& e : file->entries()) {
    std::string name = options.add_prefix + e.name;
    if (HasPrefix(e.name, options.ignore_prefixes) || HasPrefix(name, options.ignore_prefixes)) continue;
    torch::Tensor* target = params.find(name);
    if (target == nullptr) {
      if (!KnownExtra(e.name)) extra.push_back(e.name);
      continue;
    }
    if (torch::IntArrayRef(e.shape) != target->sizes()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": tensor '", e.name, "' has shape ",
                                                     ShapeString(e.shape), " but the model expects ",
                                                     ShapeString(target->sizes()),
                                                     " (config.json does not match the weights?)"));
    }
    absl::StatusOr<torch::Tensor> t = file->Load(e.name);
    if (!t.ok()) return t.status();
    if (!t->is_floating_point()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": tensor '", e.name, "' is ", e.dtype,
                                                     ", not a floating-point weight"));
    }
    target->copy_(t->to(target->dtype()));
    loaded.insert(name);
  }
  if (!extra.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": ", extra.size(), " unexpected tensor(s), e.g. '", extra.front(),
        "' (is this the right kind of model directory?)"));
  }
  std::vector<std::string> missing;
  for (const auto& item : params) {
    if (!loaded.count(item.key()) && !HasPrefix(item.key(), options.allow_missing_prefixes)) {
      missing.push_back(item.key());
    }
  }
  if (!missing.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", missing.size(), " missing tensor(s), e.g. '",
                                                   missing.front(), "'"));
  }
  return absl::OkStatus();
}

}  // namespace electra
