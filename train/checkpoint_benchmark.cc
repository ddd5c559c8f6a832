// The cost of checkpoint checksums (issue 15) for ELECTRA-Small (30522-token vocabulary, both
// towers, Adam moments of every parameter): a save with manifests against the same files written
// as before manifests, the CRC-32C alone over those bytes, and verification at resume
// (ValidateCheckpoint with and without a manifest) and by inspect (VerifyDirectory).
//   bazel build -c opt //train:checkpoint_benchmark && bazel-bin/train/checkpoint_benchmark
// (from the repository root, so data/vocab/ is found). Files go to $TMPDIR (or /tmp), whose page
// cache keeps them hot: verification here reads from memory, not from the disk.
#include <unistd.h>

#include <cstdlib>
#include <tuple>

#include <torch/torch.h>

#include "absl/strings/str_cat.h"
#include "base/file_util.h"
#include "benchmark/benchmark.h"
#include "corpus/crc32c.h"
#include "corpus/file_manifest.h"
#include "model/electra.h"
#include "model/safetensors.h"
#include "train/adamw.h"
#include "train/checkpoint.h"

namespace electra {
namespace {

struct Small {
  Small() : dc(*DiscriminatorPreset("small", 30522)), d(dc), g(GeneratorConfig(dc, 0.25), d->electra->embeddings) {
    std::vector<std::pair<std::string, torch::Tensor>> named;
    for (const auto& p : d->named_parameters()) named.emplace_back("discriminator/" + p.key(), p.value());
    for (const auto& p : g->named_parameters()) named.emplace_back("generator/" + p.key(), p.value());
    FlatAdamW opt(DecayGroups(named, 0.01), AdamWOptions{});
    c.discriminator_config = dc;
    c.generator_config = GeneratorConfig(dc, 0.25);
    c.discriminator = d.get();
    c.generator = g.get();
    c.optimizer = opt.StateTensors();
    c.rng = {{"cpu", torch::zeros({5056}, torch::kUInt8)}};  // the size of torch's CPU generator state
    c.state.step = 1;
    c.state.total_steps = 1000000;
    if (PathExists("data/vocab/bert-base-uncased-vocab.txt")) c.vocab_path = "data/vocab/bert-base-uncased-vocab.txt";
    const char* tmp = std::getenv("TMPDIR");
    root = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/checkpoint_benchmark.", getpid());
  }
  ~Small() { RemoveAll(root).IgnoreError(); }
  ElectraConfig dc;
  Discriminator d;
  Generator g;
  CheckpointContents c;
  std::string root;
};

Small& Model() {
  static Small* s = new Small();
  return *s;
}

// What SaveCheckpoint wrote before manifests: the same files, no CRC, no manifest.json.
absl::Status SaveWithoutChecksums(const std::string& dir, const CheckpointContents& c) {
  std::string tmp = dir + ".tmp";
  absl::Status s = MakeDirectories(tmp);
  auto tensors = [](const torch::nn::Module& m) {
    std::vector<std::pair<std::string, torch::Tensor>> t;
    for (const auto& p : m.named_parameters(true)) t.emplace_back(p.key(), p.value().detach());
    return t;
  };
  std::string vocab = c.vocab_path.empty() ? "" : *ReadFile(c.vocab_path);
  for (const auto& [sub, module, config] : {std::make_tuple("discriminator", c.discriminator, &c.discriminator_config),
                                            std::make_tuple("generator", c.generator, &c.generator_config)}) {
    std::string d = JoinPath(tmp, sub);
    if (s.ok()) s = MakeDirectories(d);
    if (s.ok()) s = WriteSafetensors(JoinPath(d, "model.safetensors"), tensors(*module), {{"format", "pt"}});
    if (s.ok()) s = WriteFileAtomically(JoinPath(d, "config.json"), ConfigToJson(*config));
    if (s.ok()) s = WriteFileAtomically(JoinPath(d, "vocab.txt"), vocab);
    if (s.ok()) s = WriteFileAtomically(JoinPath(d, "tokenizer_config.json"), "{}\n");
    if (s.ok()) s = SyncDirectory(d);
  }
  if (s.ok()) s = WriteSafetensors(JoinPath(tmp, "optimizer.safetensors"), c.optimizer);
  if (s.ok()) s = WriteSafetensors(JoinPath(tmp, "rng.safetensors"), c.rng);
  if (s.ok()) s = WriteFileAtomically(JoinPath(tmp, "training_state.json"), TrainingStateToJson(c.state));
  if (s.ok()) s = WriteFileAtomically(JoinPath(tmp, "DONE"), "step 1\n");
  if (s.ok() && rename(tmp.c_str(), dir.c_str()) != 0) s = absl::InternalError("rename " + tmp);
  if (s.ok()) s = SyncDirectory(Dirname(dir));
  return s;
}

void BM_SaveWithChecksums(benchmark::State& state) {
  Small& m = Model();
  std::string dir = JoinPath(m.root, "with");
  for (auto _ : state) {
    state.PauseTiming();
    RemoveAll(dir).IgnoreError();
    MakeDirectories(dir).IgnoreError();
    state.ResumeTiming();
    absl::Status s = SaveCheckpoint(dir, m.c);
    if (!s.ok()) state.SkipWithError(std::string(s.message()).c_str());
  }
  auto manifest = FileManifest::ReadFrom(JoinPath(dir, CheckpointDirName(1)));
  if (manifest.ok()) state.counters["MB"] = manifest->total_bytes() / 1e6;
}

void BM_SaveWithoutChecksums(benchmark::State& state) {
  Small& m = Model();
  std::string dir = JoinPath(m.root, "without");
  for (auto _ : state) {
    state.PauseTiming();
    RemoveAll(dir).IgnoreError();
    state.ResumeTiming();
    absl::Status s = SaveWithoutChecksums(dir, m.c);
    if (!s.ok()) state.SkipWithError(std::string(s.message()).c_str());
  }
}

std::string SavedCheckpoint(bool manifest) {
  Small& m = Model();
  std::string dir = JoinPath(m.root, manifest ? "validate" : "validate_old");
  std::string step = JoinPath(dir, CheckpointDirName(1));
  if (PathExists(step)) return step;
  MakeDirectories(dir).IgnoreError();
  SaveCheckpoint(dir, m.c).IgnoreError();
  if (!manifest) {
    for (const char* f : {"manifest.json", "discriminator/manifest.json", "generator/manifest.json"}) {
      RemoveAll(JoinPath(step, f)).IgnoreError();
    }
    std::string path = JoinPath(step, "training_state.json");
    TrainingState s = *TrainingStateFromJson(*ReadFile(path), path);
    s.manifest.clear();
    WriteFileAtomically(JoinPath(step, "training_state.json"), TrainingStateToJson(s)).IgnoreError();
  }
  return step;
}

// The CRC-32C alone over as many bytes as the checkpoint holds.
void BM_Crc32cOfCheckpointBytes(benchmark::State& state) {
  auto manifest = FileManifest::ReadFrom(SavedCheckpoint(true));
  std::string bytes(manifest.ok() ? manifest->total_bytes() : 0, '\x5a');
  for (auto _ : state) benchmark::DoNotOptimize(crc32c::Value(bytes.data(), bytes.size()));
  state.SetBytesProcessed(state.iterations() * bytes.size());
}

void BM_ValidateCheckpoint(benchmark::State& state) {
  std::string step = SavedCheckpoint(state.range(0) == 1);
  for (auto _ : state) {
    auto s = ValidateCheckpoint(step);
    if (!s.ok()) state.SkipWithError(std::string(s.status().message()).c_str());
  }
}

void BM_VerifyDirectory(benchmark::State& state) {
  std::string step = SavedCheckpoint(true);
  uint64_t bytes = 0;
  for (auto _ : state) {
    auto s = VerifyDirectory(step);
    if (!s.ok()) state.SkipWithError(std::string(s.status().message()).c_str());
    bytes = s.ok() ? s->bytes : 0;
  }
  state.SetBytesProcessed(state.iterations() * bytes);
}

BENCHMARK(BM_SaveWithChecksums)->Unit(benchmark::kMillisecond)->MinTime(3)->UseRealTime();
BENCHMARK(BM_SaveWithoutChecksums)->Unit(benchmark::kMillisecond)->MinTime(3)->UseRealTime();
BENCHMARK(BM_Crc32cOfCheckpointBytes)->Unit(benchmark::kMillisecond)->UseRealTime();
// 1: with a manifest (checksums and structure), 0: a checkpoint written before manifests.
BENCHMARK(BM_ValidateCheckpoint)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond)->MinTime(2)->UseRealTime();
BENCHMARK(BM_VerifyDirectory)->Unit(benchmark::kMillisecond)->MinTime(2)->UseRealTime();

}  // namespace
}  // namespace electra

BENCHMARK_MAIN();
