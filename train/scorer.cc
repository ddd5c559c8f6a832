#include "train/scorer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <unordered_map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/file_util.h"
#include "base/progress.h"
#include "corpus/pretrain_stream.h"
#include "corpus/shard_corpus.h"
#include "model/electra.h"
#include "model/model_dir.h"
#include "nlohmann/json.hpp"
#include "tokenizer/vocab.h"
#include "train/checkpoint.h"
#include "model/torch_compat.h"
#include "train/device.h"
#include "train/disc_metrics.h"
#include "train/electra_step.h"
#include "train/masking.h"

namespace electra {
namespace {

constexpr uint64_t kScoreNoiseStream = 0x53434f5245;  // "SCORE"

// A step-N directory: DONE and a model (discriminator/ and generator/, or generator/ alone for the
// masked LM of objective mlm).
bool IsStepDir(const std::string& path) {
  return PathExists(JoinPath(path, "DONE")) &&
         (PathExists(JoinPath(path, "discriminator")) || PathExists(JoinPath(path, "generator")));
}

// A generator model directory (HF ElectraForMaskedLM layout) given directly.
bool IsGeneratorModelDir(const std::string& path) {
  absl::StatusOr<ElectraConfig> c = ReadConfig(JoinPath(path, "config.json"));
  if (!c.ok()) return false;
  return std::find(c->architectures.begin(), c->architectures.end(), "ElectraForMaskedLM") != c->architectures.end();
}

absl::StatusOr<Vocab> LoadModelVocab(const std::string& model_dir) {
  std::string path = JoinPath(model_dir, "vocab.txt");
  if (!PathExists(path)) {
    return absl::FailedPreconditionError(absl::StrCat(model_dir, " has no vocab.txt: cannot check that it matches the shards"));
  }
  return Vocab::Load(path);
}

}  // namespace

absl::StatusOr<std::string> ResolveCheckpointDir(const std::string& path) {
  if (!PathExists(path)) return absl::NotFoundError(absl::StrCat(path, ": no such checkpoint directory"));
  if (IsStepDir(path)) return path;
  for (const std::string& dir : {JoinPath(path, "checkpoints"), path}) {
    auto all = ListCheckpoints(dir);
    if (!all.empty()) return all.front().second;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      path, " is not a checkpoint: expected a step-N directory with DONE, discriminator/ and generator/ (or "
            "generator/ alone for --objective=mlm) as pretrain writes them, or a run directory whose checkpoints/ holds one"));
}

absl::StatusOr<ScoreResult> ScoreCheckpoint(const ScoreOptions& o) {
  auto start = std::chrono::steady_clock::now();
  if (o.max_examples < 1) return absl::InvalidArgumentError("--max_examples: must be at least 1");
  if (o.batch_size < 1) return absl::InvalidArgumentError("--batch_size: must be at least 1");
  if (!(o.temperature > 0 || o.temperature == -1)) return absl::InvalidArgumentError("--temperature: must be positive");
  SetCpuThreads(o.threads);

  // The checkpoint and its settings.
  absl::StatusOr<std::string> dir = ResolveCheckpointDir(o.checkpoint);
  if (!dir.ok()) return dir.status();
  absl::StatusOr<TrainingState> state = ValidateCheckpoint(*dir);
  if (!state.ok()) return absl::Status(state.status().code(), absl::StrCat(*dir, ": ", state.status().message()));
  nlohmann::json flags = nlohmann::json::parse(state->flags_json, nullptr, false);
  if (!flags.is_object()) flags = nlohmann::json::object();
  // A masked LM alone (objective mlm) has generator/ only: its generator figures are scored, and
  // its own directory stands in for the discriminator's where the vocabulary and config are read.
  const bool has_disc = ObjectiveOf(*state) == "electra";
  std::string gen_dir = JoinPath(*dir, "generator");
  std::string disc_dir = has_disc ? JoinPath(*dir, "discriminator") : gen_dir;
  if (!has_disc && !o.generator.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("--generator: ", *dir,
                                                   " is a masked LM alone (objective mlm): it has no discriminator to "
                                                   "score on another generator's replacements"));
  }
  if (!o.generator.empty()) {
    if (IsGeneratorModelDir(o.generator)) {
      gen_dir = o.generator;
    } else {
      absl::StatusOr<std::string> other = ResolveCheckpointDir(o.generator);
      if (!other.ok()) return absl::Status(other.status().code(), absl::StrCat("--generator: ", other.status().message()));
      absl::StatusOr<TrainingState> s = ValidateCheckpoint(*other);
      if (!s.ok()) return absl::Status(s.status().code(), absl::StrCat("--generator: ", *other, ": ", s.status().message()));
      gen_dir = JoinPath(*other, "generator");
    }
  }

  absl::StatusOr<Vocab> vocab = LoadModelVocab(disc_dir);
  if (!vocab.ok()) return vocab.status();
  if (vocab->mask_id() < 0 || vocab->cls_id() < 0 || vocab->sep_id() < 0) {
    return absl::FailedPreconditionError(disc_dir + "/vocab.txt lacks [CLS], [SEP] or [MASK]");
  }
  absl::StatusOr<ElectraConfig> dc = ReadModelConfig(disc_dir);
  if (!dc.ok()) return dc.status();
  absl::StatusOr<ElectraConfig> gc = ReadModelConfig(gen_dir);
  if (!gc.ok()) return gc.status();
  if (dc->vocab_size != vocab->size()) {
    return absl::DataLossError(absl::StrCat(disc_dir, ": config.json has vocab_size ", dc->vocab_size, " but vocab.txt ",
                                            vocab->size(), " tokens"));
  }
  if (gc->vocab_size != dc->vocab_size) {
    return absl::FailedPreconditionError(absl::StrCat("the generator ", gen_dir, " has a ", gc->vocab_size,
                                                      "-token vocabulary, the discriminator ", disc_dir, " ", dc->vocab_size));
  }
  if (PathExists(JoinPath(gen_dir, "vocab.txt"))) {
    absl::StatusOr<Vocab> gv = Vocab::Load(JoinPath(gen_dir, "vocab.txt"));
    if (!gv.ok()) return gv.status();
    if (gv->Fingerprint() != vocab->Fingerprint()) {
      return absl::FailedPreconditionError(absl::StrCat("the generator ", gen_dir, " and the discriminator ", disc_dir,
                                                        " were trained with different vocabularies"));
    }
  }

  // The held-out shards.
  absl::StatusOr<std::vector<std::string>> files = ExpandFileList(o.data);
  if (!files.ok()) return absl::InvalidArgumentError(absl::StrCat("--data: ", files.status().message()));
  absl::StatusOr<ShardSpec> spec = FindShardSpec(*files);
  if (spec.ok() && spec->vocab_fingerprint() != vocab->Fingerprint()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the shards ", o.data, " were made with the vocabulary ", spec->vocab_path(), " (fingerprint ",
        spec->vocab_fingerprint(), "), the checkpoint ", *dir, " with another (", disc_dir, "/vocab.txt, fingerprint ",
        vocab->Fingerprint(), "): shard the held-out text with the checkpoint's vocab.txt"));
  }
  PretrainStreamOptions so;
  so.files = *files;
  so.seed = o.seed;
  so.global_batch = o.batch_size;
  so.shuffle = false;
  so.prefetch = 2;
  absl::StatusOr<std::unique_ptr<PretrainStream>> stream = PretrainStream::Open(so, 0);
  if (!stream.ok()) {
    return absl::Status(stream.status().code(), absl::StrCat("--data: ", stream.status().message()));
  }
  if ((*stream)->records_per_epoch() == 0) {
    return absl::InvalidArgumentError(absl::StrCat("--data: the shards ", o.data, " hold no examples"));
  }
  const int64_t n = std::min<int64_t>(o.max_examples, (*stream)->records_per_epoch());

  // Masking and sampling: as the checkpoint was trained unless overridden.
  const double temperature = o.temperature > 0 ? o.temperature : flags.value("temperature", 1.0);
  MaskingOptions mo;
  mo.seed = o.seed;
  mo.mask_prob = o.mask_prob > 0 ? o.mask_prob : flags.value("mask_prob", 0.15);
  std::string style = flags.value("mask_style", std::string("official"));
  mo.style = style == "bernoulli" ? MaskStyle::kBernoulli : MaskStyle::kOfficial;
  std::string sampling = o.mask_sampling.empty() ? flags.value("mask_sampling", std::string("without_replacement"))
                                                 : o.mask_sampling;
  if (sampling != "with_replacement" && sampling != "without_replacement") {
    return absl::InvalidArgumentError("--mask_sampling: must be with_replacement or without_replacement");
  }
  mo.with_replacement = sampling == "with_replacement";
  mo.mask_id = vocab->mask_id();
  mo.cls_id = vocab->cls_id();
  mo.sep_id = vocab->sep_id();
  mo.pad_id = std::max(0, vocab->pad_id());

  // Models (each loads its own copy of the shared embeddings).
  absl::StatusOr<torch::Device> device = ResolveDevice(o.device);
  if (!device.ok()) return device.status();
  absl::StatusOr<std::string> precision = ResolvePrecision(o.precision, *device, o.testing_emulated_bf16);
  if (!precision.ok()) return precision.status();
  if (*precision == "fp16") return absl::InvalidArgumentError("--precision: score_checkpoint runs in auto, fp32 or bf16");
  const bool autocast = *precision == "bf16";  // the towers' matrix products; sampling and metrics stay fp32
  Discriminator discriminator{nullptr};
  Generator generator(*gc);
  absl::Status s = LoadModelDir(gen_dir, *generator);
  if (s.ok() && has_disc) {
    discriminator = Discriminator(*dc);
    s = LoadModelDir(disc_dir, *discriminator);
    discriminator->to(*device);
    discriminator->eval();
  }
  if (!s.ok()) return s;
  generator->to(*device);
  generator->eval();
  torch::NoGradGuard no_grad;

  ScoreResult r;
  r.checkpoint = *dir;
  r.generator = gen_dir;
  r.data = o.data;
  r.step = state->step;
  r.temperature = temperature;
  r.precision = *precision;
  std::vector<float> scores;            // discriminator logits, real tokens
  std::vector<uint8_t> labels;          // replaced = 1
  std::vector<float> tf_probs;          // the official metric's inputs (padding included)
  std::vector<uint8_t> tf_labels;
  std::unordered_map<int64_t, int64_t> label_counts;
  double gen_loss_sum = 0, gen_correct = 0, sampled_original = 0, disc_loss_sum = 0;
  double tp = 0, fp = 0, fn = 0, correct = 0, replaced = 0;
  Progress progress("score_checkpoint", static_cast<double>(n), "examples");
  at::Generator noise = MakeGenerator(*device, o.seed);
  auto f32 = torch::TensorOptions().dtype(torch::kFloat32).device(*device);
  for (int64_t k = 0; r.examples < n; ++k) {
    absl::StatusOr<StreamBatch> batch = (*stream)->Next();
    if (!batch.ok()) return batch.status();
    int64_t take = std::min<int64_t>(n - r.examples, static_cast<int64_t>(batch->examples.size()));
    batch->examples.resize(take);
    batch->positions.resize(take);
    for (const PretrainingExample& e : batch->examples) {
      for (int32_t id : e.input_ids) {
        if (id < 0 || id >= dc->vocab_size) {
          return absl::DataLossError(absl::StrCat("--data: an example holds token id ", id, ", outside the checkpoint's ",
                                                  dc->vocab_size, "-token vocabulary: were the shards made with ",
                                                  disc_dir, "/vocab.txt?"));
        }
      }
    }
    DeviceBatch b = ToDevice(MaskBatch(*batch, mo), *device);
    const int64_t B = b.input_ids.size(0), P = b.masked_positions.size(1);
    torch::Tensor logits;  // (B, P, V)
    {
      AutocastScope scope(autocast, torch::kBFloat16, device->type());
      auto hidden = generator->Hidden(b.masked_ids, b.attention_mask, b.token_type_ids);  // (B, T, Hg)
      auto index = b.masked_positions.unsqueeze(-1).expand({B, P, hidden.size(2)});      // (B, P, Hg)
      logits = generator->Logits(hidden.gather(1, index)).to(torch::kFloat32);
    }
    const int64_t V = logits.size(2);
    auto weights = b.masked_weights;                                                   // (B, P)
    auto ce = torch::nn::functional::cross_entropy(
                  logits.view({B * P, V}), b.masked_labels.view({B * P}),
                  torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone))
                  .view({B, P});
    noise.set_current_seed(MixSeed(o.seed, kScoreNoiseStream, k));
    auto sampled = SampleTokens(logits, torch::rand({B, P, V}, noise, f32), temperature);  // (B, P)
    auto fake = ReplaceTokens(b.input_ids, b.masked_positions, weights, sampled);            // (B, T)
    gen_loss_sum += (ce * weights).sum().item<double>();
    gen_correct += ((logits.argmax(-1) == b.masked_labels).to(torch::kFloat32) * weights).sum().item<double>();
    sampled_original += ((sampled == b.masked_labels).to(torch::kFloat32) * weights).sum().item<double>();
    r.masked += static_cast<int64_t>(weights.sum().item<double>());
    auto labels_cpu = b.masked_labels.to(torch::kCPU).contiguous();
    auto weights_cpu = weights.to(torch::kCPU).contiguous();
    for (int64_t i = 0; i < labels_cpu.numel(); ++i) {
      if (weights_cpu.data_ptr<float>()[i] > 0) ++label_counts[labels_cpu.data_ptr<int64_t>()[i]];
    }
    r.examples += take;
    progress.Update(static_cast<double>(r.examples));
    if (!has_disc) continue;

    torch::Tensor disc_logits;  // (B, T)
    {
      AutocastScope scope(autocast, torch::kBFloat16, device->type());
      disc_logits = discriminator(fake, b.attention_mask, b.token_type_ids).to(torch::kFloat32);
    }
    auto y = (fake != b.input_ids).to(torch::kFloat32);
    auto real = b.attention_mask.to(torch::kFloat32);
    auto bce = torch::binary_cross_entropy_with_logits(disc_logits, y, {}, {}, at::Reduction::None);

    disc_loss_sum += (bce * real).sum().item<double>();
    auto predicted = (disc_logits > 0).to(torch::kFloat32);
    tp += (predicted * y * real).sum().item<double>();
    fp += (predicted * (1 - y) * real).sum().item<double>();
    fn += ((1 - predicted) * y * real).sum().item<double>();
    correct += ((predicted == y).to(torch::kFloat32) * real).sum().item<double>();
    replaced += (y * real).sum().item<double>();

    auto cpu_logits = disc_logits.to(torch::kCPU).contiguous();
    auto cpu_y = y.to(torch::kCPU).contiguous();
    auto cpu_real = b.attention_mask.to(torch::kCPU).contiguous();
    const float* lp = cpu_logits.data_ptr<float>();
    const float* yp = cpu_y.data_ptr<float>();
    const int64_t* mp = cpu_real.data_ptr<int64_t>();
    for (int64_t i = 0; i < cpu_logits.numel(); ++i) {
      if (mp[i]) {
        scores.push_back(lp[i]);
        labels.push_back(yp[i] > 0.5f);
        tf_probs.push_back(1.0f / (1.0f + std::exp(-lp[i])));
        tf_labels.push_back(yp[i] > 0.5f);
        ++r.tokens;
      } else {
        tf_probs.push_back(0.0f);  // official: probs * input_mask, labels * input_mask
        tf_labels.push_back(0);
      }
    }
  }
  progress.Finish();
  r.objective = has_disc ? "electra" : "mlm";

  int64_t most = 0;
  for (const auto& [id, c] : label_counts) {
    most = std::max(most, c);
    double q = c / std::max<double>(1, static_cast<double>(r.masked));
    r.gen_unigram_entropy -= q * std::log(q);
  }
  double masked = std::max<double>(1, static_cast<double>(r.masked));
  double tokens = std::max<double>(1, static_cast<double>(r.tokens));
  r.gen_loss = gen_loss_sum / masked;
  r.gen_accuracy = gen_correct / masked;
  r.gen_majority_accuracy = most / masked;
  r.gen_sampled_original = sampled_original / masked;
  r.disc_loss = disc_loss_sum / tokens;
  r.replaced_fraction = replaced / tokens;
  r.disc_base_entropy = BinaryEntropy(r.replaced_fraction);
  r.disc_loss_ratio = r.disc_base_entropy > 0 ? r.disc_loss / r.disc_base_entropy : 0;
  r.disc_auc = ExactAuc(scores, labels);
  r.disc_auc_tf = TfMetricsAuc(tf_probs, tf_labels);
  r.disc_accuracy = correct / tokens;
  r.disc_base_accuracy = 1 - r.replaced_fraction;
  r.disc_precision = tp / std::max(1.0, tp + fp);
  r.disc_recall = tp / std::max(1.0, tp + fn);
  r.disc_f1 = tp > 0 ? 2 * r.disc_precision * r.disc_recall / (r.disc_precision + r.disc_recall) : 0;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

std::string ScoreToJson(const ScoreResult& r) {
  nlohmann::ordered_json j;
  j["checkpoint"] = r.checkpoint;
  j["generator"] = r.generator;
  j["data"] = r.data;
  j["step"] = r.step;
  j["temperature"] = r.temperature;
  j["precision"] = r.precision;
  j["objective"] = r.objective;
  j["examples"] = r.examples;
  j["masked"] = r.masked;
  j["gen_loss"] = r.gen_loss;
  j["gen_accuracy"] = r.gen_accuracy;
  j["gen_majority_accuracy"] = r.gen_majority_accuracy;
  j["gen_unigram_entropy"] = r.gen_unigram_entropy;
  if (r.objective == "mlm") {  // a masked LM alone: no sampling, no discriminator to score
    j["seconds"] = r.seconds;
    return j.dump(2) + "\n";
  }
  j["tokens"] = r.tokens;
  j["gen_sampled_original"] = r.gen_sampled_original;
  j["disc_loss"] = r.disc_loss;
  j["disc_base_entropy"] = r.disc_base_entropy;
  j["disc_loss_ratio"] = r.disc_loss_ratio;
  j["disc_auc"] = r.disc_auc;
  j["disc_auc_tf"] = r.disc_auc_tf;
  j["disc_accuracy"] = r.disc_accuracy;
  j["disc_base_accuracy"] = r.disc_base_accuracy;
  j["disc_precision"] = r.disc_precision;
  j["disc_recall"] = r.disc_recall;
  j["disc_f1"] = r.disc_f1;
  j["replaced_fraction"] = r.replaced_fraction;
  j["seconds"] = r.seconds;
  return j.dump(2) + "\n";
}

std::string ScoreToLine(const ScoreResult& r) {
  if (r.objective == "mlm") {
    return absl::StrFormat(
        "step %d | %d examples | masked LM alone (objective mlm) | loss %.4f (unigram %.4f) acc %.4f (most frequent token %.4f)",
        r.step, r.examples, r.gen_loss, r.gen_unigram_entropy, r.gen_accuracy, r.gen_majority_accuracy);
  }
  return absl::StrFormat(
      "step %d | %d examples | gen loss %.4f (unigram %.4f) acc %.4f (most frequent token %.4f) | disc loss %.4f H(p) %.4f "
      "ratio %.4f auc %.4f acc %.4f (base %.4f) precision %.4f recall %.4f | replaced %.4f",
      r.step, r.examples, r.gen_loss, r.gen_unigram_entropy, r.gen_accuracy, r.gen_majority_accuracy, r.disc_loss, r.disc_base_entropy,
      r.disc_loss_ratio, r.disc_auc, r.disc_accuracy, r.disc_base_accuracy, r.disc_precision, r.disc_recall,
      r.replaced_fraction);
}

}  // namespace electra
