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

  // Data and vocabulary.
  absl::StatusOr<std::vector<std::string>> files = ExpandFileList(o.data);
  if (!files.ok()) return absl::InvalidArgumentError(absl::StrCat("--data: ", files.status().message()));
  absl::StatusOr<ShardSpec> spec = FindShardSpec(*files);
  std::string vocab_path = o.vocab;
  if (vocab_path.empty() && spec.ok()) vocab_path = spec->vocab_path();
  if (vocab_path.empty()) {
    return absl::InvalidArgumentError("--vocab: is required when the shards have no spec file naming their vocabulary");
  }
  absl::StatusOr<Vocab> vocab = Vocab::Load(vocab_path);
  if (!vocab.ok()) return absl::InvalidArgumentError(absl::StrCat("--vocab: ", vocab.status().message()));
  if (vocab->mask_id() < 0 || vocab->cls_id() < 0 || vocab->sep_id() < 0) {
    return absl::InvalidArgumentError(vocab_path + ": the vocabulary needs [CLS], [SEP] and [MASK] for pretraining");
  }
  if (spec.ok() && spec->vocab_fingerprint() != vocab->Fingerprint()) {
    return absl::FailedPreconditionError(absl::StrCat("the shards were made with another vocabulary than ", vocab_path,
                                                      " (fingerprints ", spec->vocab_fingerprint(), " vs ",
                                                      vocab->Fingerprint(), ")"));
  }

  PretrainStreamOptions so;
  so.files = *files;
  so.seed = o.seed;
  so.global_batch = o.batch_size;
  so.world_size = world;
  so.rank = rank;
  so.shuffle_window = o.shuffle_window;
  so.skip_corrupt = o.skip_corrupt_records;
  so.prefetch = 0;  // opened below at the resume position
  int max_seq_length = spec.ok() ? static_cast<int>(spec->max_seq_length()) : 0;
  if (max_seq_length == 0) {
    absl::StatusOr<std::unique_ptr<PretrainStream>> probe = PretrainStream::Open(so, 0);
    if (!probe.ok()) return probe.status();
    absl::StatusOr<StreamBatch> first = (*probe)->MakeBatch(0);
    if (!first.ok()) return first.status();
    max_seq_length = static_cast<int>(first->examples[0].input_ids.size());
  }

  // Output directory.
  std::string checkpoints = JoinPath(o.output_dir, "checkpoints");
  status = MakeDirectories(checkpoints);
  if (!status.ok()) return absl::Status(status.code(), absl::StrCat("--output_dir: ", status.message()));
  absl::StatusOr<torch::Device> device = ResolveDevice(o.device, dist->local_rank());
  if (!device.ok()) return device.status();
  bool cuda = device->is_cuda();
  status = dist->Connect(*device);
  if (!status.ok()) return status;
  std::string precision = o.precision == "auto" ? (cuda ? "bf16" : "fp32") : o.precision;
  if (!cuda && precision != "fp32") {
    return absl::InvalidArgumentError("--precision=" + precision + " needs a CUDA device; the CPU trains in fp32");
  }

  // Models.
  absl::StatusOr<ElectraConfig> dc = DiscriminatorPreset(o.size, vocab->size());
  if (!dc.ok()) return dc.status();
  dc->hidden_dropout_prob = dc->attention_probs_dropout_prob = o.dropout;
  if (max_seq_length > dc->max_position_embeddings) {
    return absl::InvalidArgumentError(absl::StrCat("the shards hold ", max_seq_length, "-token examples but the model has ",
                                                   dc->max_position_embeddings, " positions"));
  }
  ElectraConfig gc = GeneratorConfig(*dc, o.generator_fraction);
  SeedEverything(o.seed);
  Discriminator discriminator(*dc);
  Generator generator(gc, discriminator->electra->embeddings);
  InitializeWeights(*discriminator, dc->initializer_range, o.init);
  InitializeWeights(*generator, gc.initializer_range, o.init);
  if (o.glorot_layers) {
    InitializeGlorotLayers(*discriminator);
    InitializeGlorotLayers(*generator);
  }
  discriminator->to(*device);
  generator->to(*device);
  std::vector<std::pair<std::string, torch::Tensor>> named;
  for (const auto& p : discriminator->named_parameters()) named.emplace_back("discriminator/" + p.key(), p.value());
  for (const auto& p : generator->named_parameters()) named.emplace_back("generator/" + p.key(), p.value());
  AdamWOptions adam;
  adam.bias_correction = o.adam_bias_correction;
  std::vector<ParamGroup> groups = DecayGroups(named, o.weight_decay);
  if (o.testing_break_discriminator == "zero_lr") {
    // The discriminator's own tensors (not the shared embeddings, which DecayGroups filed under
    // the discriminator's name) in groups of their own with learning rate 0.
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
    groups = split;
  }
  FlatAdamW optimizer(groups, adam);
  dist->BroadcastParameters(optimizer);

  // Resume from the newest complete checkpoint.
  TrainingState state;
  state.total_steps = o.steps;
  state.seed = o.seed;
  state.world_size = world;
  state.flags_json = FlagsJson(o, max_seq_length, vocab->Fingerprint());
  for (const auto& [step, dir] : ListCheckpoints(checkpoints)) {
    absl::StatusOr<TrainingState> saved = ValidateCheckpoint(dir);
    absl::Status s = saved.status();
    if (s.ok() && saved->total_steps != o.steps) {
      return absl::FailedPreconditionError(absl::StrCat(dir, " belongs to a run of ", saved->total_steps,
                                                        " steps, not --steps=", o.steps,
                                                        "; use another --output_dir or the same --steps"));
    }
    if (s.ok()) s = LoadModelDir(JoinPath(dir, "discriminator"), *discriminator);
    if (s.ok()) s = LoadModelDir(JoinPath(dir, "generator"), *generator);
    std::map<std::string, torch::Tensor> opt_state;
    if (s.ok()) {
      auto file = SafetensorsFile::Read(JoinPath(dir, "optimizer.safetensors"));
      for (const auto& e : file->entries()) opt_state[e.name] = *file->Load(e.name);
      s = optimizer.LoadState(opt_state);
    }
    if (s.ok()) {
      auto rng = SafetensorsFile::Read(JoinPath(dir, "rng.safetensors"));
      std::vector<std::pair<std::string, torch::Tensor>> states;
      for (const auto& e : rng->entries()) states.emplace_back(e.name, *rng->Load(e.name));
      if (saved->world_size == world) RestoreDefaultGeneratorStates(*device, states);
      state.step = saved->step;
      state.next_batch = saved->next_batch;
      if (chief && !o.quiet) std::fprintf(stderr, "pretrain: resuming from %s (step %lld)\n", dir.c_str(), (long long)state.step);
      if (chief && saved->manifest.empty()) {
        std::fprintf(stderr, "pretrain: note: %s has no %s (written before checkpoints recorded checksums): "
                     "its files were checked for structure only\n", dir.c_str(), kManifestName);
      }
      break;
    }
    if (chief) std::fprintf(stderr, "pretrain: checkpoint %s is unusable (%s); falling back to the previous one\n",
                            dir.c_str(), std::string(s.message()).c_str());
  }
  int64_t end = o.stop_at > 0 ? o.stop_at : o.steps;
  if (state.step >= end) {
    if (chief && !o.quiet) std::fprintf(stderr, "pretrain: already at step %lld; nothing to do\n", (long long)state.step);
    return absl::OkStatus();
  }

  so.prefetch = 4;
  absl::StatusOr<std::unique_ptr<PretrainStream>> stream = PretrainStream::Open(so, state.next_batch);
  if (!stream.ok()) return stream.status();
  so.max_seq_length = max_seq_length;
  std::unique_ptr<MetricsLog> log;
  if (chief) {
    absl::StatusOr<std::unique_ptr<MetricsLog>> opened = MetricsLog::Open(o.output_dir);
    if (!opened.ok()) return absl::Status(opened.status().code(), absl::StrCat("--output_dir: ", opened.status().message()));
    log = *std::move(opened);
  }

  MaskingOptions mo;
  mo.style = o.mask_style;
  mo.with_replacement = o.mask_with_replacement;
  mo.mask_prob = o.mask_prob;
  mo.max_predictions = OfficialMaxPredictions(o.mask_prob, max_seq_length);
  mo.mask_id = vocab->mask_id();
  mo.cls_id = vocab->cls_id();
  mo.sep_id = vocab->sep_id();
  mo.pad_id = std::max(0, vocab->pad_id());
  mo.seed = o.seed;
  ObjectiveOptions obj;
  obj.disc_weight = o.disc_weight;
  obj.temperature = o.temperature;
  obj.testing_shuffle_labels = o.testing_break_discriminator == "shuffle_labels";

  TrainStepOptions to;
  to.objective = obj;
  to.accumulate = o.accumulate;
  to.global_batch = o.batch_size;
  to.rank = rank;
  to.global_noise = o.global_noise;
  to.seed = o.seed;
  to.precision = precision;
  to.cuda_graph = o.cuda_graph;
  to.inject_nan_from = o.inject_nan_from;
  to.inject_nan_until = o.inject_nan_until;
  TrainStep trainer(generator, discriminator, &optimizer, &*dist, *device, to);

  // Sums over the current logging window (device).
  std::map<std::string, torch::Tensor> window;
  int64_t window_steps = 0;
  auto window_start = std::chrono::steady_clock::now();
  auto run_start = window_start;
  int64_t first_step = state.step;
  bool graph_reported = false;

  g_stop_signal = 0;
  std::signal(SIGINT, OnStopSignal);
  std::signal(SIGTERM, OnStopSignal);
  discriminator->train();
  generator->train();
  while (state.step < end) {
    const int64_t step = state.step;
    absl::StatusOr<StreamBatch> batch = (*stream)->Next();
    if (!batch.ok()) return batch.status();
    MaskedBatch masked = MaskBatch(*batch, mo);
    if (cuda) {
      for (torch::Tensor* t : {&masked.input_ids, &masked.masked_ids, &masked.attention_mask, &masked.token_type_ids,
                               &masked.masked_positions, &masked.masked_weights, &masked.masked_labels}) {
        *t = t->pin_memory();
      }
    }
    std::map<std::string, torch::Tensor> stats = trainer.Run(masked, step, LearningRate(o.lr, step, o.steps, o.warmup_steps));
    for (const auto& [k, v] : stats) {
      auto it = window.find(k);
      if (it == window.end()) {
        window[k] = v.to(torch::kFloat64).clone();
      } else {
        it->second.add_(v.to(torch::kFloat64));
      }
    }
    if (chief && !o.quiet && !graph_reported && !trainer.graph_note().empty()) {
      std::fprintf(stderr, "pretrain: %s\n", trainer.graph_note().c_str());
      graph_reported = trainer.graph_active() || trainer.graph_note().find("off") != std::string::npos ||
                       trainer.graph_note().find("failed") != std::string::npos ||
                       trainer.graph_note().find("unavailable") != std::string::npos;
    }
    ++window_steps;
    state.step = step + 1;
    state.next_batch = batch->index + 1;

    const int stop_signal = g_stop_signal;
    bool at_end = state.step == end || stop_signal != 0;
    bool log_now = state.step % o.log_every == 0 || at_end;
    if (log_now || state.step % std::min<int64_t>(o.log_every, 10) == 0) {
      int64_t bad = optimizer.consecutive_skipped().item<int64_t>();
      if (bad >= o.max_nonfinite) {
        return absl::AbortedError(absl::StrCat(
            "the loss or gradients were NaN/Inf for ", bad, " steps in a row (last at step ", state.step,
            "); the updates were skipped. Lower --lr, raise --warmup_steps, or use --precision=fp32 / bf16 instead "
            "of fp16, then rerun (training resumes from the last checkpoint)"));
      }
    }
    if (log_now && chief) {
      double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - window_start).count();
      std::map<std::string, double> w;
      std::vector<double> auc_pos, auc_neg;
      for (auto& [k, v] : window) {
        if (v.dim() == 0) {
          w[k] = v.item<double>();
        } else {
          torch::Tensor cpu = v.to(torch::kCPU).contiguous();
          (k == "auc_positive" ? auc_pos : auc_neg).assign(cpu.data_ptr<double>(), cpu.data_ptr<double>() + cpu.numel());
        }
      }
      double n = static_cast<double>(window_steps * o.accumulate);
      double tokens = static_cast<double>(window_steps) * o.batch_size * max_seq_length;
      double precision_rt = w["true_pos"] / std::max(1.0, w["true_pos"] + w["false_pos"]);
      double recall = w["true_pos"] / std::max(1.0, w["true_pos"] + w["false_neg"]);
      double replaced = w["replaced"] / std::max(1.0, w["disc_count"]);
      // The loss of the best constant predictor for this window's replaced fraction.
      double base_entropy = BinaryEntropy(replaced);
      double disc_loss = w["disc_loss"] / window_steps;
      std::vector<std::pair<std::string, double>> scalars = {
          {"loss", w["loss"] / window_steps},
          {"gen_loss", w["gen_loss"] / window_steps},
          {"gen_accuracy", w["gen_correct"] / std::max(1.0, w["gen_count"])},
          {"disc_loss", disc_loss},
          {"disc_accuracy", w["disc_correct"] / std::max(1.0, w["disc_count"])},
          {"disc_precision", precision_rt},
          {"disc_recall", recall},
          {"replaced_fraction", replaced},
          {"disc_auc", HistogramAuc(auc_pos, auc_neg)},
          {"disc_base_entropy", base_entropy},
          {"disc_loss_ratio", base_entropy > 0 ? disc_loss / base_entropy : 0.0},
          {"lr", w["lr"] / window_steps},
          {"grad_norm", w["grad_norm"] / window_steps},
          {"steps_per_second", window_steps / std::max(seconds, 1e-9)},
          {"tokens_per_second", tokens / std::max(seconds, 1e-9)},
          {"skipped_steps", static_cast<double>(optimizer.skipped_steps().item<int64_t>())},
      };
      (void)n;
      status = log->Write(state.step, scalars);
      if (!status.ok()) return status;
      if (!o.quiet) {
        double total_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - run_start).count();
        double rate = (state.step - first_step) / std::max(total_seconds, 1e-9);
        std::map<std::string, double> v(scalars.begin(), scalars.end());
        std::fprintf(stderr,
                     "pretrain step %lld/%lld | loss %.4f gen %.4f disc %.4f (%.3f H) auc %.3f | gen acc %.3f "
                     "disc acc %.3f | lr %.3g | %.2f steps/s %.0f tok/s | ETA %s\n",
                     (long long)state.step, (long long)end, v["loss"], v["gen_loss"], v["disc_loss"],
                     v["disc_loss_ratio"], v["disc_auc"], v["gen_accuracy"], v["disc_accuracy"], v["lr"],
                     v["steps_per_second"], v["tokens_per_second"], Eta((end - state.step) / std::max(rate, 1e-9)).c_str());
      }
      window.clear();
      window_steps = 0;
      window_start = std::chrono::steady_clock::now();
    }

    std::vector<int64_t> milestones = MilestoneSteps(o.steps);
    bool milestone = std::find(milestones.begin(), milestones.end(), state.step) != milestones.end();
    if (state.step % o.save_every == 0 || milestone || at_end) {
      if (chief) {
        CheckpointContents c;
        c.discriminator_config = *dc;
        c.generator_config = gc;
        c.discriminator = discriminator.get();
        c.generator = generator.get();
        c.optimizer = optimizer.StateTensors();
        c.rng = DefaultGeneratorStates(*device);
        c.state = state;
        c.vocab_path = vocab_path;
        c.lowercase = !spec.ok() || spec->lowercase();
        status = SaveCheckpoint(checkpoints, c);
        if (!status.ok()) return status;
        status = PruneCheckpoints(checkpoints, o.keep, o.steps);
        if (!status.ok()) return status;
      }
      dist->Barrier();
    }
    if (stop_signal != 0) {
      return absl::CancelledError(absl::StrCat(
          "stopped by ", stop_signal == SIGINT ? "SIGINT" : "SIGTERM", " after step ", state.step,
          "; checkpoint ", JoinPath(checkpoints, CheckpointDirName(state.step)),
          " is complete: rerun the same command to resume"));
    }
  }
  if (chief && !o.quiet) {
    std::fprintf(stderr, "pretrain: finished step %lld; checkpoints in %s\n", (long long)state.step, checkpoints.c_str());
  }
  return absl::OkStatus();
}

}  // namespace electra
