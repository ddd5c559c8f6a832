#include "train/pretrainer.h"

#include <chrono>
#include <csignal>
#include <cmath>
#include <cstdio>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/file_util.h"
#include "base/progress.h"
#include "corpus/file_manifest.h"
#include "corpus/pretrain_stream.h"
#include "corpus/shard_corpus.h"
#include "model/flops.h"
#include "model/model_dir.h"
#include "model/safetensors.h"
#include "model/torch_compat.h"
#include "nlohmann/json.hpp"
#include "tokenizer/vocab.h"
#include "train/adamw.h"
#include "train/checkpoint.h"
#include "train/device.h"
#include "train/disc_metrics.h"
#include "train/distributed.h"
#include "train/electra_step.h"
#include "train/metrics_log.h"
#include "train/op_profile.h"
#include "train/train_step.h"

namespace electra {
namespace {

// SIGINT / SIGTERM ask the loop to write a checkpoint and stop (a second signal kills at once).
volatile std::sig_atomic_t g_stop_signal = 0;

extern "C" void OnStopSignal(int signal) {
  if (g_stop_signal != 0) std::_Exit(128 + signal);
  g_stop_signal = signal;
}

struct SizeDefaults {
  int64_t steps, batch, warmup;
  double lr, mask_prob;
};

absl::StatusOr<SizeDefaults> DefaultsFor(const std::string& size) {
  if (size == "tiny") return SizeDefaults{10000, 32, 100, 5e-4, 0.15};  // not an official size
  if (size == "mini") return SizeDefaults{10000, 32, 1000, 1e-3, 0.15};  // not an official size
  if (size == "small") return SizeDefaults{1000000, 128, 10000, 5e-4, 0.15};
  if (size == "base") return SizeDefaults{766000, 256, 10000, 2e-4, 0.15};
  if (size == "large") return SizeDefaults{400000, 2048, 10000, 2e-4, 0.25};
  return absl::InvalidArgumentError("--size: must be tiny, mini, small, base or large, not '" + size + "'");
}

// Settings recorded in the checkpoints and metrics.
std::string FlagsJson(const PretrainOptions& o, int max_seq_length, const std::string& vocab_fingerprint) {
  nlohmann::ordered_json j;
  j["data"] = o.data;
  j["size"] = o.size;
  j["layers"] = o.layers;
  j["objective"] = o.objective;
  j["steps"] = o.steps;
  j["batch_size"] = o.batch_size;
  j["lr"] = o.lr;
  j["warmup_steps"] = o.warmup_steps;
  j["seed"] = o.seed;
  j["mask_style"] = o.mask_style == MaskStyle::kOfficial ? "official" : "bernoulli";
  j["mask_sampling"] = o.mask_with_replacement ? "with_replacement" : "without_replacement";
  j["dense_init"] = o.glorot_layers ? "official" : "normal";
  j["adam_bias_correction"] = o.adam_bias_correction;
  j["mask_prob"] = o.mask_prob;
  j["generator_fraction"] = o.generator_fraction;
  j["disc_weight"] = o.disc_weight;
  j["temperature"] = o.temperature;
  j["dropout"] = o.dropout;
  j["weight_decay"] = o.weight_decay;
  j["init"] = o.init == InitStyle::kTruncatedNormal ? "truncated_normal" : "normal";
  j["precision"] = o.precision;
  j["accumulate"] = o.accumulate;
  j["shuffle_window"] = o.shuffle_window;
  j["max_seq_length"] = max_seq_length;
  j["vocab_fingerprint"] = vocab_fingerprint;
  j["global_noise"] = o.global_noise;
  return j.dump();
}

std::string Eta(double seconds) { return Progress::FormatDuration(seconds); }

// The shards, their spec and vocabulary, and how this rank reads them.
struct DataSetup {
  std::string vocab_path;
  std::unique_ptr<Vocab> vocab;
  PretrainStreamOptions stream;
  int max_seq_length = 0;
  bool lowercase = true;  // how the shards were tokenized (the spec's; true without one)
};

// The two towers, their configs and the optimizer over both.
struct Models {
  ElectraConfig discriminator_config, generator_config;
  Discriminator discriminator{nullptr};
  Generator generator{nullptr};
  std::unique_ptr<FlatAdamW> optimizer;
};

// Step 1: the shard files, their spec, the vocabulary (checked against the shards) and the
// example length.
absl::StatusOr<DataSetup> OpenData(const PretrainOptions& o, int world, int rank) {
  DataSetup d;
  absl::StatusOr<std::vector<std::string>> files = ExpandFileList(o.data);
  if (!files.ok()) return absl::InvalidArgumentError(absl::StrCat("--data: ", files.status().message()));
  absl::StatusOr<ShardSpec> spec = FindShardSpec(*files);
  d.vocab_path = o.vocab;
  if (d.vocab_path.empty() && spec.ok()) d.vocab_path = spec->vocab_path();
  if (d.vocab_path.empty()) {
    return absl::InvalidArgumentError("--vocab: is required when the shards have no spec file naming their vocabulary");
  }
  absl::StatusOr<Vocab> vocab = Vocab::Load(d.vocab_path);
  if (!vocab.ok()) return absl::InvalidArgumentError(absl::StrCat("--vocab: ", vocab.status().message()));
  if (vocab->mask_id() < 0 || vocab->cls_id() < 0 || vocab->sep_id() < 0) {
    return absl::InvalidArgumentError(d.vocab_path + ": the vocabulary needs [CLS], [SEP] and [MASK] for pretraining");
  }
  if (spec.ok() && spec->vocab_fingerprint() != vocab->Fingerprint()) {
    return absl::FailedPreconditionError(absl::StrCat("the shards were made with another vocabulary than ", d.vocab_path,
                                                      " (fingerprints ", spec->vocab_fingerprint(), " vs ",
                                                      vocab->Fingerprint(), ")"));
  }
  d.vocab = std::make_unique<Vocab>(*std::move(vocab));
  d.lowercase = !spec.ok() || spec->lowercase();
  d.stream.files = *files;
  d.stream.seed = o.seed;
  d.stream.global_batch = o.batch_size;
  d.stream.world_size = world;
  d.stream.rank = rank;
  d.stream.shuffle_window = o.shuffle_window;
  d.stream.skip_corrupt = o.skip_corrupt_records;
  d.stream.prefetch = 0;  // opened by the loop at the resume position
  d.max_seq_length = spec.ok() ? static_cast<int>(spec->max_seq_length()) : 0;
  if (d.max_seq_length == 0) {
    absl::StatusOr<std::unique_ptr<PretrainStream>> probe = PretrainStream::Open(d.stream, 0);
    if (!probe.ok()) return probe.status();
    absl::StatusOr<StreamBatch> first = (*probe)->MakeBatch(0);
    if (!first.ok()) return first.status();
    d.max_seq_length = static_cast<int>(first->examples[0].input_ids.size());
  }
  return d;
}

// AdamW's groups: decay / no decay. The testing hook "zero_lr" moves the discriminator's own
// tensors (not the shared embeddings, which DecayGroups files under the discriminator's name) into
// groups of their own with learning rate 0.
std::vector<ParamGroup> OptimizerGroups(const PretrainOptions& o,
                                        const std::vector<std::pair<std::string, torch::Tensor>>& named) {
  std::vector<ParamGroup> groups = DecayGroups(named, o.weight_decay);
  if (o.testing_break_discriminator != "zero_lr") return groups;
  std::vector<ParamGroup> split;
  for (const ParamGroup& g : groups) {
    ParamGroup frozen = g, rest = g;
    frozen.names.clear(), frozen.params.clear(), rest.names.clear(), rest.params.clear();
    frozen.lr_scale = 0;
    for (size_t i = 0; i < g.names.size(); ++i) {
      bool own = g.names[i].rfind("discriminator/", 0) == 0 && g.names[i].find(".embeddings.") == std::string::npos;
      ParamGroup& to = own ? frozen : rest;
      to.names.push_back(g.names[i]);
      to.params.push_back(g.params[i]);
    }
    for (ParamGroup* part : {&frozen, &rest}) {
      if (!part->params.empty()) split.push_back(*part);
    }
  }
  return split;
}

// Step 2: both towers at their official initialisation (shared embeddings), on the device, and
// the optimizer; rank 0's weights are broadcast.
absl::StatusOr<Models> BuildModels(const PretrainOptions& o, const DataSetup& data, torch::Device device,
                                   DistributedContext& dist) {
  Models m;
  absl::StatusOr<ElectraConfig> dc = DiscriminatorPreset(o.size, data.vocab->size());
  if (!dc.ok()) return dc.status();
  if (o.layers > 0) dc->num_hidden_layers = o.layers;
  dc->hidden_dropout_prob = dc->attention_probs_dropout_prob = o.dropout;
  if (data.max_seq_length > dc->max_position_embeddings) {
    return absl::InvalidArgumentError(absl::StrCat("the shards hold ", data.max_seq_length,
                                                   "-token examples but the model has ", dc->max_position_embeddings,
                                                   " positions"));
  }
  m.discriminator_config = *dc;
  SeedEverything(o.seed);
  if (o.objective == "mlm") {
    // One encoder the discriminator's size (heads included) with the masked-LM head.
    m.generator_config = *dc;
    m.generator_config.architectures = {"ElectraForMaskedLM"};
    m.generator = Generator(m.generator_config);
  } else {
    m.generator_config = GeneratorConfig(*dc, o.generator_fraction);
    m.discriminator = Discriminator(m.discriminator_config);
    m.generator = Generator(m.generator_config, m.discriminator->electra->embeddings);
    InitializeWeights(*m.discriminator, m.discriminator_config.initializer_range, o.init);
  }
  InitializeWeights(*m.generator, m.generator_config.initializer_range, o.init);
  if (o.glorot_layers) {
    if (m.discriminator) InitializeGlorotLayers(*m.discriminator);
    InitializeGlorotLayers(*m.generator);
  }
  if (m.discriminator) m.discriminator->to(device);
  m.generator->to(device);
  std::vector<std::pair<std::string, torch::Tensor>> named;
  if (m.discriminator) {
    for (const auto& p : m.discriminator->named_parameters()) named.emplace_back("discriminator/" + p.key(), p.value());
  }
  for (const auto& p : m.generator->named_parameters()) named.emplace_back("generator/" + p.key(), p.value());
  AdamWOptions adam;
  adam.bias_correction = o.adam_bias_correction;
  m.optimizer = std::make_unique<FlatAdamW>(OptimizerGroups(o, named), adam);
  dist.BroadcastParameters(*m.optimizer);
  return m;
}

// The shapes a checkpoint's tower was saved with equal the ones this run builds (--size, --layers,
// --generator_fraction, the vocabulary), so that a rerun with other flags stops instead of passing
// over every checkpoint as unusable and overwriting them. A config that cannot be read is left to
// the load.
absl::Status CheckSameShapes(const std::string& dir, const std::string& tower, const ElectraConfig& built) {
  absl::StatusOr<ElectraConfig> saved = ReadModelConfig(JoinPath(dir, tower));
  if (!saved.ok()) return absl::OkStatus();
  auto shape = [](const ElectraConfig& c) {
    return absl::StrCat(c.num_hidden_layers, " layers, hidden size ", c.hidden_size, ", embedding size ",
                        c.embedding_size, ", attention heads ", c.num_attention_heads, ", intermediate size ",
                        c.intermediate_size, ", vocabulary ", c.vocab_size, ", positions ", c.max_position_embeddings);
  };
  if (shape(*saved) == shape(built)) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      JoinPath(dir, tower), " has ", shape(*saved), "; this run builds ", shape(built),
      " (--size, --layers, --generator_fraction, --vocab): resume it with its own flags, or use another --output_dir"));
}

// Step 3: resumes from the newest checkpoint that verifies (falling back past damaged ones), or
// leaves `state` at step 0.
absl::Status ResumeFromCheckpoint(const PretrainOptions& o, const std::string& checkpoints, Models& m,
                                  torch::Device device, int world, bool chief, TrainingState* state) {
  for (const auto& [step, dir] : ListCheckpoints(checkpoints)) {
    absl::StatusOr<TrainingState> saved = ValidateCheckpoint(dir);
    absl::Status s = saved.status();
    if (s.ok() && saved->total_steps != o.steps) {
      return absl::FailedPreconditionError(absl::StrCat(dir, " belongs to a run of ", saved->total_steps,
                                                        " steps, not --steps=", o.steps,
                                                        "; use another --output_dir or the same --steps"));
    }
    if (s.ok() && ObjectiveOf(*saved) != o.objective) {
      return absl::FailedPreconditionError(absl::StrCat(
          dir, " was trained with --objective=", ObjectiveOf(*saved), ", not --objective=", o.objective,
          ": resume it with --objective=", ObjectiveOf(*saved), ", or start the other objective in another --output_dir"));
    }
    if (s.ok()) {
      absl::Status same = m.discriminator ? CheckSameShapes(dir, "discriminator", m.discriminator_config)
                                          : absl::OkStatus();
      if (same.ok()) same = CheckSameShapes(dir, "generator", m.generator_config);
      if (!same.ok()) return same;
    }
    if (s.ok() && m.discriminator) s = LoadModelDir(JoinPath(dir, "discriminator"), *m.discriminator);
    if (s.ok()) s = LoadModelDir(JoinPath(dir, "generator"), *m.generator);
    std::map<std::string, torch::Tensor> opt_state;
    if (s.ok()) {
      auto file = SafetensorsFile::Read(JoinPath(dir, "optimizer.safetensors"));
      for (const auto& e : file->entries()) opt_state[e.name] = *file->Load(e.name);
      s = m.optimizer->LoadState(opt_state);
    }
    if (s.ok()) {
      auto rng = SafetensorsFile::Read(JoinPath(dir, "rng.safetensors"));
      std::vector<std::pair<std::string, torch::Tensor>> states;
      for (const auto& e : rng->entries()) states.emplace_back(e.name, *rng->Load(e.name));
      if (saved->world_size == world) RestoreDefaultGeneratorStates(device, states);
      state->step = saved->step;
      state->next_batch = saved->next_batch;
      state->train_seconds = saved->train_seconds;
      state->train_flops = saved->train_flops;
      if (chief && !o.quiet) std::fprintf(stderr, "pretrain: resuming from %s (step %lld)\n", dir.c_str(), (long long)state->step);
      if (chief && saved->manifest.empty()) {
        std::fprintf(stderr, "pretrain: note: %s has no %s (written before checkpoints recorded checksums): "
                     "its files were checked for structure only\n", dir.c_str(), kManifestName);
      }
      return absl::OkStatus();
    }
    if (chief) std::fprintf(stderr, "pretrain: checkpoint %s is unusable (%s); falling back to the previous one\n",
                            dir.c_str(), std::string(s.message()).c_str());
  }
  return absl::OkStatus();
}

MaskingOptions MaskingFor(const PretrainOptions& o, const DataSetup& data) {
  MaskingOptions mo;
  mo.style = o.mask_style;
  mo.with_replacement = o.mask_with_replacement;
  mo.mask_prob = o.mask_prob;
  mo.max_predictions = OfficialMaxPredictions(o.mask_prob, data.max_seq_length);
  mo.mask_id = data.vocab->mask_id();
  mo.cls_id = data.vocab->cls_id();
  mo.sep_id = data.vocab->sep_id();
  mo.pad_id = std::max(0, data.vocab->pad_id());
  mo.seed = o.seed;
  return mo;
}

// Training FLOPs of one step of the global batch, by the paper's counting (model/flops.h).
double TrainFlopsPerStep(const PretrainOptions& o, const Models& m, const DataSetup& data, const MaskingOptions& mo) {
  const double output_fraction = static_cast<double>(mo.max_predictions) / data.max_seq_length;
  if (o.objective == "mlm") {
    return MlmTrainFlopsPerStep(m.generator_config, o.batch_size, data.max_seq_length, output_fraction);
  }
  return ElectraTrainFlopsPerStep(m.generator_config, m.discriminator_config, o.batch_size, data.max_seq_length,
                                  output_fraction);
}

TrainStepOptions StepOptionsFor(const PretrainOptions& o, int rank, const std::string& precision) {
  TrainStepOptions to;
  to.objective.electra = o.objective == "electra";
  to.objective.disc_weight = o.disc_weight;
  to.objective.temperature = o.temperature;
  to.objective.testing_shuffle_labels = o.testing_break_discriminator == "shuffle_labels";
  to.accumulate = o.accumulate;
  to.global_batch = o.batch_size;
  to.rank = rank;
  to.global_noise = o.global_noise;
  to.seed = o.seed;
  to.precision = precision;
  to.cuda_graph = o.cuda_graph;
  to.inject_nan_from = o.inject_nan_from;
  to.inject_nan_until = o.inject_nan_until;
  return to;
}

// Sums of the step statistics over one logging window (on the device), turned into the logged
// scalars when the window closes.
class LogWindow {
 public:
  void Add(const std::map<std::string, torch::Tensor>& stats) {
    for (const auto& [k, v] : stats) {
      auto it = sums_.find(k);
      if (it == sums_.end()) {
        sums_[k] = v.to(torch::kFloat64).clone();
      } else {
        it->second.add_(v.to(torch::kFloat64));
      }
    }
    ++steps_;
  }

  // Adds up every rank's share of the window, on every rank (a collective: all ranks call it at
  // the same steps). Each rank's losses are its examples' sums over the global batch's counts, so
  // the shares add up to the global batch's figures, as the counts and AUC histograms do; lr and
  // grad_norm are the same on every rank.
  void AllReduce(DistributedContext& dist) {
    if (!dist.active()) return;
    for (auto& [k, v] : sums_) {
      if (k != "lr" && k != "grad_norm") dist.AllReduceSum(v);
    }
  }

  // The window's scalars (and the wall time since the last Reset), then a new window.
  std::vector<std::pair<std::string, double>> Close(const PretrainOptions& o, int max_seq_length,
                                                    const FlatAdamW& optimizer) {
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::map<std::string, double> w;
    std::vector<double> auc_pos, auc_neg;
    for (auto& [k, v] : sums_) {
      if (v.dim() == 0) {
        w[k] = v.item<double>();
      } else {
        torch::Tensor cpu = v.to(torch::kCPU).contiguous();
        (k == "auc_positive" ? auc_pos : auc_neg).assign(cpu.data_ptr<double>(), cpu.data_ptr<double>() + cpu.numel());
      }
    }
    const double n = static_cast<double>(steps_);
    double tokens = n * o.batch_size * max_seq_length;
    double precision_rt = w["true_pos"] / std::max(1.0, w["true_pos"] + w["false_pos"]);
    double recall = w["true_pos"] / std::max(1.0, w["true_pos"] + w["false_neg"]);
    double replaced = w["replaced"] / std::max(1.0, w["disc_count"]);
    // The loss of the best constant predictor for this window's replaced fraction.
    double base_entropy = BinaryEntropy(replaced);
    double disc_loss = w["disc_loss"] / n;
    std::vector<std::pair<std::string, double>> scalars = {
        {"loss", w["loss"] / n},
        {"gen_loss", w["gen_loss"] / n},
        {"gen_accuracy", w["gen_correct"] / std::max(1.0, w["gen_count"])},
        {"disc_loss", disc_loss},
        {"disc_accuracy", w["disc_correct"] / std::max(1.0, w["disc_count"])},
        {"disc_precision", precision_rt},
        {"disc_recall", recall},
        {"replaced_fraction", replaced},
        {"disc_auc", HistogramAuc(auc_pos, auc_neg)},
        {"disc_base_entropy", base_entropy},
        {"disc_loss_ratio", base_entropy > 0 ? disc_loss / base_entropy : 0.0},
        {"lr", w["lr"] / n},
        {"grad_norm", w["grad_norm"] / n},
        {"steps_per_second", n / std::max(seconds, 1e-9)},
        {"tokens_per_second", tokens / std::max(seconds, 1e-9)},
        {"skipped_steps", static_cast<double>(optimizer.skipped_steps().item<int64_t>())},
    };
    Reset();
    return scalars;
  }

  void Reset() {
    sums_.clear();
    steps_ = 0;
    start_ = std::chrono::steady_clock::now();
  }

 private:
  std::map<std::string, torch::Tensor> sums_;
  int64_t steps_ = 0;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

void PrintProgress(const std::vector<std::pair<std::string, double>>& scalars, int64_t step, int64_t end,
                   double rate, bool electra) {
  std::map<std::string, double> v(scalars.begin(), scalars.end());
  if (!electra) {  // the masked LM alone: no discriminator figures
    std::fprintf(stderr, "pretrain step %lld/%lld | mlm loss %.4f acc %.3f | lr %.3g | %.2f steps/s %.0f tok/s | ETA %s\n",
                 (long long)step, (long long)end, v["gen_loss"], v["gen_accuracy"], v["lr"], v["steps_per_second"],
                 v["tokens_per_second"], Eta((end - step) / std::max(rate, 1e-9)).c_str());
    return;
  }
  std::fprintf(stderr,
               "pretrain step %lld/%lld | loss %.4f gen %.4f disc %.4f (%.3f H) auc %.3f | gen acc %.3f "
               "disc acc %.3f | lr %.3g | %.2f steps/s %.0f tok/s | ETA %s\n",
               (long long)step, (long long)end, v["loss"], v["gen_loss"], v["disc_loss"], v["disc_loss_ratio"],
               v["disc_auc"], v["gen_accuracy"], v["disc_accuracy"], v["lr"], v["steps_per_second"],
               v["tokens_per_second"], Eta((end - step) / std::max(rate, 1e-9)).c_str());
}

// A NaN/Inf streak of --max_nonfinite steps ends the run with advice.
absl::Status CheckNonfiniteStreak(const PretrainOptions& o, const FlatAdamW& optimizer, int64_t step) {
  int64_t bad = optimizer.consecutive_skipped().item<int64_t>();
  if (bad < o.max_nonfinite) return absl::OkStatus();
  return absl::AbortedError(absl::StrCat(
      "the loss or gradients were NaN/Inf for ", bad, " steps in a row (last at step ", step,
      "); the updates were skipped. Lower --lr, raise --warmup_steps, or use --precision=fp32 / bf16 instead "
      "of fp16, then rerun (training resumes from the last checkpoint)"));
}

// Writes the checkpoint of `state` (rank 0) and prunes old ones; every rank waits for it.
absl::Status SaveAndPrune(const PretrainOptions& o, const std::string& checkpoints, const Models& m,
                          const DataSetup& data, const TrainingState& state, torch::Device device, bool chief,
                          DistributedContext& dist) {
  if (chief) {
    CheckpointContents c;
    c.discriminator_config = m.discriminator_config;
    c.generator_config = m.generator_config;
    c.discriminator = m.discriminator ? m.discriminator.get() : nullptr;
    c.generator = m.generator.get();
    c.optimizer = m.optimizer->StateTensors();
    c.rng = DefaultGeneratorStates(device);
    c.state = state;
    c.vocab_path = data.vocab_path;
    c.lowercase = data.lowercase;
    absl::Status s = SaveCheckpoint(checkpoints, c);
    if (!s.ok()) return s;
    s = PruneCheckpoints(checkpoints, o.keep, o.steps);
    if (!s.ok()) return s;
  }
  dist.Barrier();
  return absl::OkStatus();
}

// --profile_steps: operator self times of steps [kProfileFrom, kProfileFrom + N) of this run,
// written to OUTPUT/profile.md (after the first steps' one-time costs).
constexpr int64_t kProfileWarmupSteps = 5;

absl::Status WriteOpProfile(const PretrainOptions& o, int steps, bool chief) {
  absl::StatusOr<OpProfile> profile = StopOpProfile(steps);
  if (!profile.ok()) return profile.status();
  if (!chief) return absl::OkStatus();
  std::string path = JoinPath(o.output_dir, "profile.md");
  std::string table = OpProfileTable(*profile);
  if (!o.quiet) std::fprintf(stderr, "pretrain: profile of %d steps -> %s\n%s", steps, path.c_str(), table.c_str());
  return WriteFileAtomically(path, table);
}

}  // namespace

absl::Status ResolvePretrainDefaults(PretrainOptions* o) {
  absl::StatusOr<SizeDefaults> d = DefaultsFor(o->size);
  if (!d.ok()) return d.status();
  // -1 means "the size's default"; any other value is checked below.
  if (o->steps == -1) o->steps = d->steps;
  if (o->batch_size == -1) o->batch_size = d->batch;
  if (o->lr == -1) o->lr = d->lr;
  if (o->warmup_steps == -1) o->warmup_steps = d->warmup;
  if (o->mask_prob == -1) o->mask_prob = d->mask_prob;
  if (o->generator_fraction == -1) o->generator_fraction = DefaultGeneratorFraction(o->size);
  if (o->dropout == -1) o->dropout = 0.1;
  if (o->device != "auto" && o->device != "cpu" && o->device != "cuda") {
    return absl::InvalidArgumentError("--device: must be auto, cpu or cuda, not '" + o->device + "'");
  }
  if (o->dropout < 0) return absl::InvalidArgumentError("--dropout: must be in [0, 1)");
  if (o->steps < 1) return absl::InvalidArgumentError("--steps: must be at least 1");
  if (o->layers == 0 || o->layers < -1) return absl::InvalidArgumentError("--layers: must be at least 1");
  if (o->batch_size < 1) return absl::InvalidArgumentError("--batch_size: must be at least 1");
  if (!(o->lr > 0)) return absl::InvalidArgumentError("--lr: must be positive");
  if (o->warmup_steps < 0) return absl::InvalidArgumentError("--warmup_steps: must be >= 0");
  if (!(o->mask_prob > 0 && o->mask_prob < 1)) return absl::InvalidArgumentError("--mask_prob: must be in (0, 1)");
  if (!(o->generator_fraction > 0 && o->generator_fraction <= 1)) {
    return absl::InvalidArgumentError("--generator_fraction: must be in (0, 1]");
  }
  if (o->dropout >= 1) return absl::InvalidArgumentError("--dropout: must be in [0, 1)");
  if (o->save_every < 1) return absl::InvalidArgumentError("--save_every: must be at least 1");
  if (o->log_every < 1) return absl::InvalidArgumentError("--log_every: must be at least 1");
  if (o->keep < 1) return absl::InvalidArgumentError("--keep: must be at least 1");
  if (o->accumulate < 1) return absl::InvalidArgumentError("--accumulate: must be at least 1");
  if (o->stop_at == 0 || o->stop_at < -1) return absl::InvalidArgumentError("--stop_at: must be a positive step");
  if (o->stop_at > o->steps) {
    return absl::InvalidArgumentError(absl::StrCat("--stop_at=", o->stop_at, " is beyond --steps=", o->steps));
  }
  if (o->max_nonfinite < 1) return absl::InvalidArgumentError("--max_nonfinite: must be at least 1");
  if (o->shuffle_window < 1) return absl::InvalidArgumentError("--shuffle_window: must be at least 1");
  if (o->precision != "auto" && o->precision != "fp32" && o->precision != "bf16" && o->precision != "fp16") {
    return absl::InvalidArgumentError("--precision: must be auto, fp32, bf16 or fp16");
  }
  if (!o->testing_break_discriminator.empty() && o->testing_break_discriminator != "shuffle_labels" &&
      o->testing_break_discriminator != "zero_lr") {
    return absl::InvalidArgumentError("--testing_break_discriminator: must be shuffle_labels or zero_lr");
  }
  if (o->objective != "electra" && o->objective != "mlm") {
    return absl::InvalidArgumentError("--objective: must be electra (replaced-token detection) or mlm (BERT's masked LM), not '" +
                                      o->objective + "'");
  }
  if (o->data.empty()) return absl::InvalidArgumentError("--data: is required");
  if (o->output_dir.empty()) return absl::InvalidArgumentError("--output_dir: is required");
  return absl::OkStatus();
}

absl::Status RunPretraining(PretrainOptions o) {
  absl::Status status = ResolvePretrainDefaults(&o);
  if (!status.ok()) return status;
  SetCpuThreads(o.threads);

  absl::StatusOr<DistributedContext> dist = DistributedContext::FromEnvironment();
  if (!dist.ok()) return dist.status();
  const int world = dist->world_size(), rank = dist->rank();
  const bool chief = rank == 0;
  if (o.batch_size % (static_cast<int64_t>(world) * o.accumulate) != 0) {
    return absl::InvalidArgumentError(absl::StrCat("--batch_size=", o.batch_size, " must be a multiple of ",
                                                   "world size (", world, ") x --accumulate (", o.accumulate, ")"));
  }
  absl::StatusOr<DataSetup> data = OpenData(o, world, rank);
  if (!data.ok()) return data.status();

  std::string checkpoints = JoinPath(o.output_dir, "checkpoints");
  status = MakeDirectories(checkpoints);
  if (!status.ok()) return absl::Status(status.code(), absl::StrCat("--output_dir: ", status.message()));
  absl::StatusOr<torch::Device> device = ResolveDevice(o.device, dist->local_rank());
  if (!device.ok()) return device.status();
  status = dist->Connect(*device);
  if (!status.ok()) return status;
  absl::StatusOr<std::string> precision = ResolvePrecision(o.precision, *device, o.testing_emulated_bf16);
  if (!precision.ok()) return precision.status();
  o.precision = *precision;  // what the checkpoints' flags record
  if (chief && !o.quiet && !device->is_cuda() && *precision == "bf16") {
    std::fprintf(stderr, "pretrain: bf16 autocast on the CPU (%s)\n", CpuBf16Description().c_str());
  }

  absl::StatusOr<Models> models = BuildModels(o, *data, *device, *dist);
  if (!models.ok()) return models.status();
  TrainingState state;
  state.total_steps = o.steps;
  state.seed = o.seed;
  state.world_size = world;
  state.flags_json = FlagsJson(o, data->max_seq_length, data->vocab->Fingerprint());
  status = ResumeFromCheckpoint(o, checkpoints, *models, *device, world, chief, &state);
  if (!status.ok()) return status;
  const int64_t end = o.stop_at > 0 ? o.stop_at : o.steps;
  if (state.step >= end) {
    if (chief && !o.quiet) std::fprintf(stderr, "pretrain: already at step %lld; nothing to do\n", (long long)state.step);
    return absl::OkStatus();
  }

  PretrainStreamOptions so = data->stream;
  so.prefetch = 4;
  absl::StatusOr<std::unique_ptr<PretrainStream>> stream = PretrainStream::Open(so, state.next_batch);
  if (!stream.ok()) return stream.status();
  std::unique_ptr<MetricsLog> log;
  if (chief) {
    absl::StatusOr<std::unique_ptr<MetricsLog>> opened = MetricsLog::Open(o.output_dir);
    if (!opened.ok()) return absl::Status(opened.status().code(), absl::StrCat("--output_dir: ", opened.status().message()));
    log = *std::move(opened);
  }
  const MaskingOptions mo = MaskingFor(o, *data);
  FlatAdamW& optimizer = *models->optimizer;
  TrainStep trainer(models->generator, models->discriminator, &optimizer, &*dist, *device,
                    StepOptionsFor(o, rank, *precision));

  LogWindow window;
  const auto run_start = std::chrono::steady_clock::now();
  const int64_t first_step = state.step;
  const double seconds_before = state.train_seconds;  // of earlier runs resumed from
  const double flops_before = state.train_flops;
  const double flops_per_step = TrainFlopsPerStep(o, *models, *data, mo);
  const int64_t profile_from = first_step + kProfileWarmupSteps, profile_until = profile_from + o.profile_steps;
  bool graph_reported = false;
  const std::vector<int64_t> milestones = MilestoneSteps(o.steps);

  g_stop_signal = 0;
  std::signal(SIGINT, OnStopSignal);
  std::signal(SIGTERM, OnStopSignal);
  if (models->discriminator) models->discriminator->train();
  models->generator->train();
  while (state.step < end) {
    const int64_t step = state.step;
    if (o.profile_steps > 0 && step == profile_from) {
      status = StartOpProfile();
      if (!status.ok()) return status;
    }
    // next batch -> mask -> forward, backward, update (TrainStep) -> log -> checkpoint
    absl::StatusOr<StreamBatch> batch = (*stream)->Next();
    if (!batch.ok()) return batch.status();
    MaskedBatch masked = MaskBatch(*batch, mo);
    if (device->is_cuda()) {
      for (torch::Tensor* t : {&masked.input_ids, &masked.masked_ids, &masked.attention_mask, &masked.token_type_ids,
                               &masked.masked_positions, &masked.masked_weights, &masked.masked_labels}) {
        *t = t->pin_memory();
      }
    }
    window.Add(trainer.Run(masked, step, LearningRate(o.lr, step, o.steps, o.warmup_steps)));
    if (chief && !o.quiet && !graph_reported && !trainer.graph_note().empty()) {
      std::fprintf(stderr, "pretrain: %s\n", trainer.graph_note().c_str());
      graph_reported = trainer.graph_active() || trainer.graph_note().find("off") != std::string::npos ||
                       trainer.graph_note().find("failed") != std::string::npos ||
                       trainer.graph_note().find("unavailable") != std::string::npos;
    }
    state.step = step + 1;
    state.next_batch = batch->index + 1;
    state.train_seconds =
        seconds_before + std::chrono::duration<double>(std::chrono::steady_clock::now() - run_start).count();
    state.train_flops = flops_before + static_cast<double>(state.step - first_step) * flops_per_step;
    if (o.profile_steps > 0 && state.step == profile_until) {
      status = WriteOpProfile(o, state.step - profile_from, chief);
      if (!status.ok()) return status;
    }

    const int stop_signal = g_stop_signal;
    const bool at_end = state.step == end || stop_signal != 0;
    const bool log_now = state.step % o.log_every == 0 || at_end;
    if (log_now || state.step % std::min<int64_t>(o.log_every, 10) == 0) {
      status = CheckNonfiniteStreak(o, optimizer, state.step);
      if (!status.ok()) return status;
    }
    if (log_now) window.AllReduce(*dist);
    if (log_now && chief) {
      std::vector<std::pair<std::string, double>> scalars = window.Close(o, data->max_seq_length, optimizer);
      scalars.emplace_back("train_seconds", state.train_seconds);
      scalars.emplace_back("train_flops", state.train_flops);
      status = log->Write(state.step, scalars);
      if (!status.ok()) return status;
      if (!o.quiet) {
        double total_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - run_start).count();
        PrintProgress(scalars, state.step, end, (state.step - first_step) / std::max(total_seconds, 1e-9),
                      o.objective == "electra");
      }
    } else if (log_now) {
      window.Reset();
    }
    const bool milestone = std::find(milestones.begin(), milestones.end(), state.step) != milestones.end();
    if (state.step % o.save_every == 0 || milestone || at_end) {
      status = SaveAndPrune(o, checkpoints, *models, *data, state, *device, chief, *dist);
      if (!status.ok()) return status;
    }
    if (stop_signal != 0) {
      return absl::CancelledError(absl::StrCat(
          "stopped by ", stop_signal == SIGINT ? "SIGINT" : "SIGTERM", " after step ", state.step,
          "; checkpoint ", JoinPath(checkpoints, CheckpointDirName(state.step)),
          " is complete: rerun the same command to resume"));
    }
  }
  if (o.profile_steps > 0 && state.step < profile_until && state.step > profile_from) {
    status = WriteOpProfile(o, state.step - profile_from, chief);
    if (!status.ok()) return status;
  }
  if (chief && !o.quiet) {
    std::fprintf(stderr, "pretrain: finished step %lld; checkpoints in %s\n", (long long)state.step, checkpoints.c_str());
  }
  return absl::OkStatus();
}

}  // namespace electra
