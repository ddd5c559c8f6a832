#include "train/checkpoint.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <thread>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <optional>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/file_util.h"
#include "corpus/file_manifest.h"
#include "model/model_dir.h"
#include "model/safetensors.h"
#include "nlohmann/json.hpp"

namespace electra {

std::string CheckpointDirName(int64_t step) { return absl::StrFormat("step-%08d", step); }

std::string ObjectiveOf(const TrainingState& s) {
  nlohmann::json flags = nlohmann::json::parse(s.flags_json, nullptr, false);
  if (flags.is_object() && flags.contains("objective") && flags["objective"].is_string()) {
    return flags["objective"].get<std::string>();
  }
  return "electra";
}

std::string TrainingStateToJson(const TrainingState& s) {
  nlohmann::ordered_json j;
  j["format_version"] = kCheckpointFormatVersion;
  if (!s.manifest.empty()) j["manifest"] = s.manifest;
  j["step"] = s.step;
  j["next_batch"] = s.next_batch;
  j["total_steps"] = s.total_steps;
  j["seed"] = s.seed;
  j["world_size"] = s.world_size;
  j["train_seconds"] = s.train_seconds;
  j["train_flops"] = s.train_flops;
  j["flags"] = nlohmann::ordered_json::parse(s.flags_json, nullptr, false);
  return j.dump(2) + "\n";
}

absl::StatusOr<TrainingState> TrainingStateFromJson(const std::string& text, const std::string& where) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return absl::DataLossError(where + ": not a JSON object");
  try {
    if (j.value("format_version", 0) != kCheckpointFormatVersion) {
      return absl::FailedPreconditionError(absl::StrCat(where, ": checkpoint format version ",
                                                        j.value("format_version", 0), " is not supported"));
    }
    TrainingState s;
    s.step = j.at("step").get<int64_t>();
    s.next_batch = j.at("next_batch").get<int64_t>();
    s.total_steps = j.at("total_steps").get<int64_t>();
    s.seed = j.at("seed").get<uint64_t>();
    s.world_size = j.value("world_size", 1);
    s.train_seconds = j.value("train_seconds", 0.0);
    s.train_flops = j.value("train_flops", 0.0);
    s.flags_json = j.contains("flags") ? j["flags"].dump() : "{}";
    s.manifest = j.value("manifest", "");
    return s;
  } catch (const std::exception& e) {
    return absl::DataLossError(absl::StrCat(where, ": ", e.what()));
  }
}

// Testing hook: ELECTRA_CHECKPOINT_DELAY_MS slows each file of a checkpoint, so that kill tests
// land inside checkpoint writes.
void TestDelay();

// Deletes a checkpoint directory so that no kill can leave it half-deleted under its final name:
// it is first renamed (atomically) to a temporary name, which later runs clean up if this one dies.
absl::Status RemoveCheckpointDir(const std::string& dir) {
  std::string trash = absl::StrCat(dir, ".tmp-", getpid(), "-deleting");
  absl::Status s = RemoveAll(trash);
  if (!s.ok()) return s;
  if (rename(dir.c_str(), trash.c_str()) != 0) {
    return absl::InternalError(absl::StrCat("cannot rename ", dir, " to ", trash, " for deletion: ", strerror(errno)));
  }
  return RemoveAll(trash);
}

void TestDelay() {
  static const int ms = [] {
    const char* v = std::getenv("ELECTRA_CHECKPOINT_DELAY_MS");
    return v == nullptr ? 0 : std::atoi(v);
  }();
  if (ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

absl::Status SaveCheckpoint(const std::string& checkpoints_dir, const CheckpointContents& c) {
  std::string final_dir = JoinPath(checkpoints_dir, CheckpointDirName(c.state.step));
  std::string tmp = absl::StrCat(final_dir, ".tmp-", getpid());
  absl::Status s = RemoveAll(tmp);
  if (s.ok()) s = MakeDirectories(tmp);
  // Each model directory also gets the vocabulary and a tokenizer_config.json, so it is
  // self-contained (finetune and HF AutoTokenizer read them), and its own manifest, so it can be
  // verified when copied out of the checkpoint.
  SaveModelOptions model_files;
  if (s.ok() && !c.vocab_path.empty()) {
    absl::StatusOr<std::string> vocab = ReadFile(c.vocab_path);
    s = vocab.status();
    if (s.ok()) model_files.extra_files = {{"vocab.txt", *vocab}, {"tokenizer_config.json", TokenizerConfigJson(c.lowercase)}};
  }
  // The checkpoint's manifest lists every file, those of the model directories included, so a
  // resume verifies everything with one manifest.
  FileManifest manifest;
  auto save_model = [&](const char* sub, const ElectraConfig& config, const torch::nn::Module& module) {
    absl::StatusOr<FileManifest> files = SaveModelDir(JoinPath(tmp, sub), config, module, model_files);
    if (!files.ok()) return files.status();
    manifest.AddAll(absl::StrCat(sub, "/"), *files);
    // The model directory's manifest.json holds exactly these bytes.
    manifest.Add(absl::StrCat(sub, "/", kManifestName), DigestOf(files->ToJson()));
    return SyncDirectory(JoinPath(tmp, sub));
  };
  auto save_tensors = [&](const char* name, const std::vector<std::pair<std::string, torch::Tensor>>& tensors) {
    absl::StatusOr<std::string> bytes = SerializeSafetensors(tensors);
    if (!bytes.ok()) return absl::InvalidArgumentError(absl::StrCat(JoinPath(tmp, name), ": ", bytes.status().message()));
    return WriteRecorded(tmp, name, *bytes, &manifest);
  };
  if (s.ok() && c.discriminator != nullptr) s = save_model("discriminator", c.discriminator_config, *c.discriminator);
  TestDelay();
  if (s.ok()) s = save_model("generator", c.generator_config, *c.generator);
  TestDelay();
  if (s.ok()) s = save_tensors("optimizer.safetensors", c.optimizer);
  TestDelay();
  if (s.ok()) s = save_tensors("rng.safetensors", c.rng);
  TrainingState state = c.state;
  state.manifest = kManifestName;
  if (s.ok()) s = WriteRecorded(tmp, "training_state.json", TrainingStateToJson(state), &manifest);
  if (s.ok()) s = WriteManifest(tmp, manifest).status();
  if (s.ok()) s = WriteFileAtomically(JoinPath(tmp, "DONE"), absl::StrCat("step ", c.state.step, "\n"));
  if (s.ok() && PathExists(final_dir)) s = RemoveCheckpointDir(final_dir);  // an older save of the same step
  if (s.ok() && rename(tmp.c_str(), final_dir.c_str()) != 0) {
    s = absl::InternalError(absl::StrCat("cannot rename ", tmp, " to ", final_dir));
  }
  if (s.ok()) s = SyncDirectory(checkpoints_dir);
  if (!s.ok()) {
    RemoveAll(tmp).IgnoreError();
    return absl::Status(s.code(), absl::StrCat("writing checkpoint ", final_dir, " failed: ", s.message(),
                                               " (the previous checkpoints are untouched)"));
  }
  return absl::OkStatus();
}

std::vector<std::pair<int64_t, std::string>> ListCheckpoints(const std::string& checkpoints_dir) {
  std::vector<std::pair<int64_t, std::string>> out;
  auto names = ListDirectory(checkpoints_dir);
  if (!names.ok()) return out;
  for (const std::string& name : *names) {
    int64_t step;
    if (name.size() != 13 || !absl::StartsWith(name, "step-") || !absl::SimpleAtoi(name.substr(5), &step)) continue;
    std::string dir = JoinPath(checkpoints_dir, name);
    if (PathExists(JoinPath(dir, "DONE"))) out.emplace_back(step, dir);
  }
  std::sort(out.rbegin(), out.rend());
  return out;
}

absl::StatusOr<TrainingState> ValidateCheckpoint(const std::string& dir) {
  if (!PathExists(JoinPath(dir, "DONE"))) return absl::DataLossError(dir + " has no DONE marker");
  std::optional<FileManifest> manifest;
  if (PathExists(JoinPath(dir, kManifestName))) {
    absl::StatusOr<FileManifest> m = FileManifest::ReadFrom(dir);
    if (!m.ok()) return m.status();
    manifest = *std::move(m);
  }
  // Each file is read once: its checksum and its structure are checked on the same bytes.
  std::set<std::string> checked;
  auto read = [&](const std::string& name) -> absl::StatusOr<std::string> {
    std::string path = JoinPath(dir, name);
    absl::StatusOr<std::string> bytes = ReadFile(path);
    if (!bytes.ok() || !manifest) return bytes;
    const FileDigest* expected = manifest->Find(name);
    if (expected == nullptr) {
      return absl::DataLossError(absl::StrCat(JoinPath(dir, kManifestName), " does not list ", name));
    }
    absl::Status s = CheckDigest(path, *bytes, *expected);
    if (!s.ok()) return s;
    checked.insert(name);
    return bytes;
  };
  absl::StatusOr<std::string> text = read("training_state.json");
  if (!text.ok()) return text.status();
  absl::StatusOr<TrainingState> state = TrainingStateFromJson(*text, JoinPath(dir, "training_state.json"));
  if (!state.ok()) return state.status();
  // A masked LM alone (objective mlm) has no discriminator directory.
  std::vector<std::string> towers = {"generator"};
  if (ObjectiveOf(*state) == "electra") towers.insert(towers.begin(), "discriminator");
  std::vector<std::string> tensor_files = {"optimizer.safetensors", "rng.safetensors"};
  for (const auto& t : towers) tensor_files.insert(tensor_files.end() - 2, t + "/model.safetensors");
  for (const std::string& f : tensor_files) {
    absl::StatusOr<std::string> bytes = read(f);
    if (!bytes.ok()) return bytes.status();
    auto file = SafetensorsFile::Parse(*std::move(bytes), JoinPath(dir, f));
    if (!file.ok()) return file.status();
  }
  for (const auto& t : towers) {
    const std::string f = t + "/config.json";
    absl::StatusOr<std::string> bytes = read(f);
    if (!bytes.ok()) return bytes.status();
    auto config = ConfigFromJson(*bytes, JoinPath(dir, f));
    if (!config.ok()) return config.status();
  }
  if (!manifest) {
    // Checkpoints written before manifests do not name one; a deleted manifest is damage.
    if (!state->manifest.empty()) {
      return absl::DataLossError(absl::StrCat(JoinPath(dir, state->manifest),
                                              " is missing but training_state.json says it was written"));
    }
    return state;
  }
  // The rest (vocabularies, tokenizer configs, the model directories' manifests).
  for (const auto& [name, digest] : manifest->files()) {
    if (checked.count(name)) continue;
    absl::Status s = VerifyFile(JoinPath(dir, name), digest);
    if (!s.ok()) return s;
  }
  return state;
}

std::vector<int64_t> MilestoneSteps(int64_t total) {
  std::vector<int64_t> m;
  for (double f : {0.0625, 0.125, 0.25, 0.5, 1.0}) {
    int64_t s = static_cast<int64_t>(std::llround(total * f));
    if (s > 0) m.push_back(s);
  }
  return m;
}

absl::Status PruneCheckpoints(const std::string& checkpoints_dir, int keep, int64_t total_steps) {
  auto all = ListCheckpoints(checkpoints_dir);
  std::vector<int64_t> milestones = MilestoneSteps(total_steps);
  std::set<int64_t> kept(milestones.begin(), milestones.end());
  for (int i = 0; i < keep && i < static_cast<int>(all.size()); ++i) kept.insert(all[i].first);
  for (const auto& [step, dir] : all) {
    if (!kept.count(step)) {
      absl::Status s = RemoveCheckpointDir(dir);
      if (!s.ok()) return s;
    }
  }
  auto names = ListDirectory(checkpoints_dir);
  if (names.ok()) {
    for (const auto& name : *names) {
      // Temporary directories of processes that died while writing.
      if (absl::StartsWith(name, "step-") && absl::StrContains(name, ".tmp-") &&
          !absl::EndsWith(name, absl::StrCat(".tmp-", getpid()))) {
        RemoveAll(JoinPath(checkpoints_dir, name)).IgnoreError();
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace electra
