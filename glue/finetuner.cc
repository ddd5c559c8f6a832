#include "glue/finetuner.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <numeric>
#include <optional>
#include <random>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/file_util.h"
#include "base/progress.h"
#include "corpus/pretrain_stream.h"
#include "eval/metrics.h"
#include "glue/tasks.h"
#include "model/electra.h"
#include "model/model_dir.h"
#include "model/safetensors.h"
#include "model/torch_compat.h"
#include "nlohmann/json.hpp"
#include "tokenizer/bert_tokenizer.h"
#include "train/adamw.h"
#include "train/device.h"
#include "train/distributed.h"

namespace electra {
namespace {

struct Encoded {
  std::vector<int32_t> ids, types;
  int label = -1;
  float score = 0;
  std::string id;
};

struct EvalSet {
  std::string name;  // "dev", "dev_matched", "test", "test_matched", "ax"
  std::string submission;  // for test sets: the GLUE server file name
  std::vector<Encoded> examples;
};

std::vector<Encoded> Encode(const BertTokenizer& t, const std::vector<GlueExample>& in, int max_len, bool swap) {
  std::vector<Encoded> out;
  out.reserve(in.size());
  for (const auto& e : in) {
    std::vector<int32_t> a = t.Tokenize(swap ? e.b : e.a), b;
    Encoding enc;
    if (!e.b.empty()) {
      b = t.Tokenize(swap ? e.a : e.b);
      enc = t.EncodePair(a, b, max_len, false);
    } else {
      enc = t.EncodeSingle(a, max_len, false);
    }
    out.push_back({enc.ids, enc.type_ids, e.label, e.score, e.id});
  }
  return out;
}

// A padded batch of examples[order[begin, end)] (padded to the longest).
struct Batch {
  torch::Tensor ids, mask, types, labels, scores;
};

Batch MakeBatch(const std::vector<Encoded>& examples, const std::vector<size_t>& order, size_t begin, size_t end,
                torch::Device device) {
  int64_t n = static_cast<int64_t>(end - begin), T = 1;
  for (size_t i = begin; i < end; ++i) T = std::max<int64_t>(T, examples[order[i]].ids.size());
  auto ids = torch::zeros({n, T}, torch::kLong), mask = torch::zeros({n, T}, torch::kLong),
       types = torch::zeros({n, T}, torch::kLong), labels = torch::zeros({n}, torch::kLong),
       scores = torch::zeros({n}, torch::kFloat32);
  auto ia = ids.accessor<int64_t, 2>(), ma = mask.accessor<int64_t, 2>(), ta = types.accessor<int64_t, 2>();
  auto la = labels.accessor<int64_t, 1>();
  auto sa = scores.accessor<float, 1>();
  for (int64_t r = 0; r < n; ++r) {
    const Encoded& e = examples[order[begin + r]];
    for (size_t t = 0; t < e.ids.size(); ++t) {
      ia[r][t] = e.ids[t];
      ma[r][t] = 1;
      ta[r][t] = e.types[t];
    }
    la[r] = std::max(0, e.label);
    sa[r] = e.score;
  }
  bool nb = device.is_cuda();
  return {ids.to(device, nb), mask.to(device, nb), types.to(device, nb), labels.to(device, nb), scores.to(device, nb)};
}

// Outputs (N, C) for a whole set, in order.
torch::Tensor Predict(Classifier& model, const std::vector<Encoded>& examples, int batch, torch::Device device,
                      bool autocast) {
  torch::NoGradGuard no_grad;
  model->eval();
  std::vector<size_t> order(examples.size());
  std::iota(order.begin(), order.end(), 0);
  // Sort by length for less padding; results go back to their rows.
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return examples[a].ids.size() < examples[b].ids.size(); });
  std::vector<torch::Tensor> parts;
  for (size_t b = 0; b < order.size(); b += batch) {
    size_t e = std::min(order.size(), b + batch);
    Batch x = MakeBatch(examples, order, b, e, device);
    AutocastScope scope(autocast, torch::kBFloat16, device.type());
    parts.push_back(model(x.ids, x.mask, x.types).to(torch::kFloat32).cpu());
  }
  torch::Tensor sorted = parts.empty() ? torch::zeros({0, 1}) : torch::cat(parts);
  torch::Tensor out = torch::empty_like(sorted);
  auto index = torch::tensor(std::vector<int64_t>(order.begin(), order.end()), torch::kLong);
  if (!order.empty()) out.index_copy_(0, index, sorted);
  return out;
}

struct SizeDefaults {
  double lr, decay;
};

SizeDefaults DefaultsForHidden(int hidden) {
  if (hidden >= 1024) return {5e-5, 0.9};
  if (hidden >= 768) return {1e-4, 0.8};
  return {3e-4, 0.8};  // small (and tiny)
}

std::string Fmt(double v) { return absl::StrFormat("%.6g", v); }

// The official code trains STS-B on (label - min) / max = label / 5 and so predicts on that scale;
// every file we write keeps the 0-5 scale.
constexpr double kRegressionMax = 5.0;

// What the steps below share: the checked options, the model's config and tokenizer.
struct Setup {
  const TaskSpec* task = nullptr;
  ElectraConfig config;
  std::string vocab_path;
  bool lowercase = true;
  std::string casing_source;  // where `lowercase` came from, for flags.json
  std::unique_ptr<BertTokenizer> tokenizer;
  LoadOptions load;  // how the model directory's tensors map onto the classifier
  double target_scale = 1.0;  // training target = label * target_scale (regression)
};

// The training set (MRPC and STS-B doubled with the pair swapped), the dev sets and the test sets.
struct TaskData {
  std::vector<Encoded> train;
  std::vector<EvalSet> devs, tests;
};

// Step 1: flags that need no file.
absl::StatusOr<const TaskSpec*> CheckOptions(const FinetuneOptions& o) {
  const TaskSpec* task = FindTask(o.task);
  if (task == nullptr) {
    return absl::InvalidArgumentError("--task: unknown GLUE task '" + o.task +
                                      "' (CoLA, SST-2, MRPC, STS-B, QQP, MNLI, QNLI, RTE, WNLI)");
  }
  if (o.runs < 1) return absl::InvalidArgumentError("--runs: must be at least 1");
  if (o.batch_size < 1) return absl::InvalidArgumentError("--batch_size: must be at least 1");
  if (o.max_seq_length < 8 || o.max_seq_length > 512) return absl::InvalidArgumentError("--max_seq_length: must be in [8, 512]");
  if (!(o.weight_decay >= 0)) return absl::InvalidArgumentError("--weight_decay: must be >= 0");
  if (o.loss_reduction != "sum" && o.loss_reduction != "mean") {
    return absl::InvalidArgumentError("--loss_reduction: must be sum (the official code) or mean (the PyTorch replication)");
  }
  return task;
}

// Step 2a: lowercasing comes from the model directory's tokenizer_config.json (do_lower_case), as
// HF's AutoTokenizer takes it; a flag that contradicts it is an error unless forced.
absl::Status ResolveCasing(const FinetuneOptions& o, Setup* setup, std::string* note) {
  absl::StatusOr<std::optional<bool>> recorded = ReadDoLowerCase(o.model_dir);
  if (!recorded.ok()) return recorded.status();
  const std::string config_path = JoinPath(o.model_dir, "tokenizer_config.json");
  if (o.lowercase.has_value()) {
    if (recorded->has_value() && **recorded != *o.lowercase && !o.force_casing) {
      return absl::FailedPreconditionError(absl::StrCat(
          "--lowercase=", *o.lowercase ? "true" : "false", " contradicts ", config_path, " (do_lower_case: ",
          **recorded ? "true" : "false", "): the model was pretrained on ", **recorded ? "lowercased" : "cased",
          " text, and fine-tuning it on ", *o.lowercase ? "lowercased" : "cased",
          " text maps words to other ids than it learnt. Drop --lowercase to follow the model, or add "
          "--force_casing to fine-tune this way anyway"));
    }
    setup->lowercase = *o.lowercase;
    setup->casing_source = recorded->has_value() && **recorded != *o.lowercase ? "--lowercase (forced)" : "--lowercase";
  } else if (recorded->has_value()) {
    setup->lowercase = **recorded;
    setup->casing_source = config_path;
  } else {
    setup->lowercase = true;
    setup->casing_source = "default";
    *note = absl::StrCat(o.model_dir, " records no do_lower_case (no tokenizer_config.json, or none in it): ",
                         "lowercasing as for an uncased vocabulary; pass --lowercase=false for a cased one");
  }
  return absl::OkStatus();
}

// Step 2: the model directory (verified), its config, the defaults that depend on its size, the
// vocabulary and casing, and how its tensors load into a classifier.
absl::StatusOr<Setup> ResolveModel(FinetuneOptions& o, const TaskSpec* task) {
  Setup setup;
  setup.task = task;
  // Silent damage (a flipped bit, an overwrite) would otherwise fine-tune from wrong weights.
  std::string note;
  absl::Status verified = VerifyModelDir(o.model_dir, &note);
  if (!verified.ok()) return absl::Status(verified.code(), absl::StrCat("--model: ", verified.message()));
  if (!note.empty() && !o.quiet) std::fprintf(stderr, "finetune: note: %s\n", note.c_str());
  absl::StatusOr<ElectraConfig> config = ReadModelConfig(o.model_dir);
  if (!config.ok()) return absl::Status(config.status().code(), absl::StrCat("--model: ", config.status().message()));
  setup.config = *config;
  setup.config.hidden_dropout_prob = setup.config.attention_probs_dropout_prob = o.dropout;
  SizeDefaults d = DefaultsForHidden(setup.config.hidden_size);
  // -1 means "the default"; any other value is checked below.
  if (o.lr == -1) o.lr = d.lr;
  if (o.layer_decay == -1) o.layer_decay = d.decay;
  if (o.epochs == -1) o.epochs = task->default_epochs;
  if (!(o.lr > 0)) return absl::InvalidArgumentError("--lr: must be positive");
  if (!(o.layer_decay > 0 && o.layer_decay <= 1)) return absl::InvalidArgumentError("--layer_decay: must be in (0, 1]");
  if (o.epochs < 1) return absl::InvalidArgumentError("--epochs: must be at least 1");
  setup.target_scale = task->regression() && o.scale_regression_targets ? 1.0 / kRegressionMax : 1.0;

  setup.vocab_path = o.vocab.empty() ? JoinPath(o.model_dir, "vocab.txt") : o.vocab;
  if (!PathExists(setup.vocab_path)) {
    return absl::NotFoundError(absl::StrCat("no vocabulary: ", setup.vocab_path, " is missing (pass --vocab)"));
  }
  note.clear();
  absl::Status casing = ResolveCasing(o, &setup, &note);
  if (!casing.ok()) return casing;
  if (!note.empty() && !o.quiet) std::fprintf(stderr, "finetune: note: %s\n", note.c_str());
  NormalizerOptions norm;
  norm.lowercase = norm.strip_accents = setup.lowercase;
  absl::StatusOr<std::unique_ptr<BertTokenizer>> tokenizer = BertTokenizer::FromFile(setup.vocab_path, norm);
  if (!tokenizer.ok()) return tokenizer.status();
  setup.tokenizer = *std::move(tokenizer);
  if (setup.tokenizer->vocab().size() != setup.config.vocab_size) {
    return absl::FailedPreconditionError(absl::StrCat(setup.vocab_path, " has ", setup.tokenizer->vocab().size(),
                                                      " tokens but the model's vocab_size is ", setup.config.vocab_size));
  }
  if (setup.tokenizer->vocab().cls_id() < 0 || setup.tokenizer->vocab().sep_id() < 0) {
    return absl::InvalidArgumentError(setup.vocab_path + ": the vocabulary lacks [CLS] or [SEP]");
  }

  // Does the directory name the backbone "electra." (ElectraForPreTraining) or not (ElectraModel)?
  auto weights = SafetensorsFile::Read(JoinPath(o.model_dir, "model.safetensors"));
  if (!weights.ok()) return weights.status();
  setup.load.ignore_prefixes = {"discriminator_predictions.", "generator_predictions.", "generator_lm_head.",
                                "classifier.", "electra.classifier."};
  setup.load.allow_missing_prefixes = {"classifier."};
  if (weights->Find("electra.embeddings.word_embeddings.weight") == nullptr &&
      weights->Find("embeddings.word_embeddings.weight") != nullptr) {
    setup.load.add_prefix = "electra.";
  }
  return setup;
}

// Step 3: reads and encodes the task's files.
absl::StatusOr<TaskData> ReadTaskData(const FinetuneOptions& o, const Setup& setup) {
  const TaskSpec& task = *setup.task;
  const BertTokenizer& tokenizer = *setup.tokenizer;
  const std::string task_dir = JoinPath(o.data_dir, task.name);
  const std::string train_path = JoinPath(task_dir, "train.tsv");
  if (!PathExists(train_path)) {
    return absl::NotFoundError(absl::StrCat("no training data for ", task.name, ": ", train_path, " is missing"));
  }
  auto limit = [](std::vector<GlueExample> v, int64_t n) {
    if (n >= 0 && static_cast<int64_t>(v.size()) > n) v.resize(n);
    return v;
  };
  TaskData data;
  ReadStats stats;
  auto train_rows = ReadGlueFile(task, task.train, train_path, o.skip_malformed, &stats);
  if (!train_rows.ok()) return train_rows.status();
  std::vector<GlueExample> train_raw = limit(*std::move(train_rows), o.train_limit);
  if (train_raw.empty()) return absl::InvalidArgumentError(train_path + ": no training examples");
  data.train = Encode(tokenizer, train_raw, o.max_seq_length, false);
  if (task.double_with_swapped_pair) {
    std::vector<Encoded> swapped = Encode(tokenizer, train_raw, o.max_seq_length, true);
    data.train.insert(data.train.end(), swapped.begin(), swapped.end());
  }
  for (const auto& f : task.dev_files) {
    std::string p = JoinPath(task_dir, f);
    if (!PathExists(p)) continue;
    auto rows = ReadGlueFile(task, task.dev, p, o.skip_malformed, &stats);
    if (!rows.ok()) return rows.status();
    data.devs.push_back({f.substr(0, f.size() - 4), "", Encode(tokenizer, limit(*rows, o.dev_limit), o.max_seq_length, false)});
  }
  if (data.devs.empty()) return absl::NotFoundError(absl::StrCat("no dev set for ", task.name, " in ", task_dir));
  for (size_t i = 0; i < task.test_files.size(); ++i) {
    std::string p = JoinPath(task_dir, task.test_files[i]);
    if (!PathExists(p)) continue;
    auto rows = ReadGlueFile(task, task.test, p, o.skip_malformed, &stats);
    if (!rows.ok()) return rows.status();
    const std::string& f = task.test_files[i];
    data.tests.push_back({f.substr(0, f.size() - 4), task.submission_names[i],
                          Encode(tokenizer, limit(*rows, o.test_limit), o.max_seq_length, false)});
  }
  if (task.name == "MNLI") {
    std::string ax = FindAxFile(o.data_dir);
    if (!ax.empty()) {
      auto rows = ReadGlueFile(AxTask(), AxTask().test, ax, o.skip_malformed, &stats);
      if (!rows.ok()) return rows.status();
      data.tests.push_back({"ax", "AX.tsv", Encode(tokenizer, limit(*rows, o.test_limit), o.max_seq_length, false)});
    }
  }
  if (!o.quiet && (stats.dropped > 0 || stats.malformed > 0)) {
    std::fprintf(stderr, "finetune %s: dropped %lld incomplete row(s), skipped %lld malformed row(s)\n",
                 task.name.c_str(), (long long)stats.dropped, (long long)stats.malformed);
  }
  return data;
}

// Step 4: one optimizer group per (layer-wise learning-rate scale, decayed or not): weight decay
// as the official AdamWeightDecayOptimizer, not on LayerNorm weights and biases.
std::vector<ParamGroup> BuildParamGroups(Classifier& model, const ElectraConfig& config, const FinetuneOptions& o) {
  std::vector<ParamGroup> groups;
  std::map<std::pair<double, bool>, size_t> index;
  for (const auto& p : model->named_parameters()) {
    double scale = LayerLrScale(p.key(), config.num_hidden_layers, o.layer_decay, o.official_layer_depth);
    bool decayed = o.weight_decay > 0 && !ExcludedFromWeightDecay(p.key());
    auto it = index.find({scale, decayed});
    if (it == index.end()) {
      it = index.emplace(std::make_pair(scale, decayed), groups.size()).first;
      ParamGroup g;
      g.lr_scale = scale;
      g.weight_decay = decayed ? o.weight_decay : 0.0;
      groups.push_back(g);
    }
    groups[it->second].names.push_back(p.key());
    groups[it->second].params.push_back(p.value());
  }
  return groups;
}

// What one run reports besides its predictions.
struct TrainSummary {
  int64_t steps = 0;
  double mean_loss = 0;  // per example, sampled every 20 steps
  int64_t skipped_updates = 0;
};

// Step 5: trains one run: shuffled epochs of batches, warmup + linear decay, the loss summed over
// the batch (official) or averaged (the seed).
TrainSummary TrainOneRun(Classifier& model, FlatAdamW& optimizer, const FinetuneOptions& o, const Setup& setup,
                         const std::vector<Encoded>& train, DistributedContext& dist, torch::Device device,
                         bool autocast, int run, uint64_t seed) {
  const TaskSpec& task = *setup.task;
  const int world = dist.world_size(), rank = dist.rank();
  const int64_t steps_per_epoch = (static_cast<int64_t>(train.size()) + o.batch_size - 1) / o.batch_size;
  const int64_t total_steps = steps_per_epoch * o.epochs;
  const int64_t warmup = static_cast<int64_t>(std::llround(o.warmup_fraction * total_steps));
  const bool sum = o.loss_reduction == "sum";
  torch::Tensor lr = torch::zeros({}, torch::TensorOptions().dtype(torch::kFloat32).device(device));
  Progress progress(absl::StrCat("finetune ", task.name, " run ", run), static_cast<double>(total_steps), "steps", 5.0);
  std::mt19937_64 shuffle(MixSeed(seed, 0x474c5545));
  int64_t step = 0;
  double loss_sum = 0;
  int64_t loss_n = 0;
  for (int epoch = 0; epoch < o.epochs; ++epoch) {
    model->train();
    std::vector<size_t> order(train.size());
    std::iota(order.begin(), order.end(), 0);
    for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[shuffle() % i]);
    for (size_t b = 0; b < order.size(); b += o.batch_size, ++step) {
      size_t e = std::min(order.size(), b + static_cast<size_t>(o.batch_size));
      // Data parallel: this rank's share of the batch. The all-reduce sums the ranks' gradients,
      // so each rank sums its share's losses (divided by the whole batch's size for the mean).
      const size_t n = e - b;
      const size_t mine_begin = b + n * rank / world, mine_end = b + n * (rank + 1) / world;
      lr.fill_(LearningRate(o.lr, step, total_steps, warmup));
      optimizer.ZeroGrad();
      torch::Tensor loss = torch::zeros({}, torch::TensorOptions().device(device));
      if (mine_end > mine_begin) {
        Batch x = MakeBatch(train, order, mine_begin, mine_end, device);
        AutocastScope scope(autocast, torch::kBFloat16, device.type());
        torch::Tensor out = model(x.ids, x.mask, x.types).to(torch::kFloat32);  // (b, C)
        torch::Tensor per = task.regression()
                                ? (out.squeeze(-1) - x.scores * setup.target_scale).pow(2)
                                : torch::nn::functional::cross_entropy(
                                      out, x.labels,
                                      torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone));
        loss = sum ? per.sum() : per.sum() / static_cast<double>(n);
        loss.backward();
      }
      dist.AllReduceGradients(optimizer);
      optimizer.Step(lr);
      if (step % 20 == 0) {
        torch::Tensor whole = loss.detach().to(torch::kFloat64).reshape({1});
        dist.AllReduceSum(whole);  // every rank's share: the whole batch's loss (a collective at the same steps)
        loss_sum += whole.item<double>() / (sum ? static_cast<double>(n) : 1.0);
        ++loss_n;
      }
      if (!o.quiet) progress.Update(static_cast<double>(step + 1));
    }
  }
  if (!o.quiet) progress.Finish();
  TrainSummary summary;
  summary.steps = total_steps;
  summary.mean_loss = loss_n > 0 ? loss_sum / loss_n : 0.0;
  summary.skipped_updates = optimizer.skipped_steps().item<int64_t>();
  return summary;
}

// The settings that produced a run, as written to flags.json and metrics.json.
nlohmann::ordered_json RunFlags(const FinetuneOptions& o, const Setup& setup, torch::Device device) {
  nlohmann::ordered_json flags;
  flags["model"] = o.model_dir;
  flags["data_dir"] = o.data_dir;
  flags["epochs"] = o.epochs;
  flags["lr"] = o.lr;
  flags["layer_decay"] = o.layer_decay;
  flags["official_layer_depth"] = o.official_layer_depth;
  flags["batch_size"] = o.batch_size;
  flags["max_seq_length"] = o.max_seq_length;
  flags["warmup_fraction"] = o.warmup_fraction;
  flags["dropout"] = o.dropout;
  flags["weight_decay"] = o.weight_decay;
  flags["loss_reduction"] = o.loss_reduction;
  flags["regression_target_scale"] = setup.target_scale;
  flags["train_limit"] = o.train_limit;
  flags["dev_limit"] = o.dev_limit;
  flags["test_limit"] = o.test_limit;
  flags["vocab"] = setup.vocab_path;
  flags["lowercase"] = setup.lowercase;
  flags["lowercase_from"] = setup.casing_source;
  flags["device"] = device.str();
  flags["precision"] = o.precision;
  return flags;
}

// Step 6: predicts the dev sets (metrics and predictions) and the test sets (outputs for
// write_tsv), then writes metrics.json, flags.json, the model if asked, and DONE last.
absl::Status WriteRunOutputs(Classifier& model, const FinetuneOptions& o, const Setup& setup, const TaskData& data,
                             const TrainSummary& summary, torch::Device device, bool autocast, const std::string& run_dir,
                             int run, uint64_t seed, std::map<std::string, double>* all_metrics) {
  const TaskSpec& task = *setup.task;
  // Regression outputs go back to the label's scale.
  const double output_scale = 1.0 / setup.target_scale;
  absl::Status s;
  for (const EvalSet& dev : data.devs) {
    torch::Tensor out = Predict(model, dev.examples, o.eval_batch_size, device, autocast);
    std::vector<int> pred, gold;
    std::vector<double> score, target;
    std::string tsv = "index\tprediction\tlabel\n";
    for (size_t i = 0; i < dev.examples.size(); ++i) {
      const Encoded& e = dev.examples[i];
      if (task.regression()) {
        double v = std::clamp(static_cast<double>(out[i][0].item<float>()) * output_scale, 0.0, kRegressionMax);
        score.push_back(v);
        target.push_back(e.score);
        absl::StrAppend(&tsv, e.id, "\t", absl::StrFormat("%.3f", v), "\t", Fmt(e.score), "\n");
      } else {
        int p = static_cast<int>(out[i].argmax().item<int64_t>());
        pred.push_back(p);
        gold.push_back(e.label);
        absl::StrAppend(&tsv, e.id, "\t", task.labels[p], "\t", task.labels[e.label], "\n");
      }
    }
    std::map<std::string, double> m = TaskMetrics(task.name, pred, gold, score, target);
    std::string suffix = dev.name == "dev_mismatched" ? "_mm" : (dev.name == "dev_matched" ? "_m" : "");
    for (const auto& [k, v] : m) (*all_metrics)[k + suffix] = v;
    s = WriteFileAtomically(JoinPath(run_dir, dev.name + "_predictions.tsv"), tsv);
    if (!s.ok()) return s;
  }
  for (const EvalSet& test : data.tests) {
    torch::Tensor out = Predict(model, test.examples, o.eval_batch_size, device, autocast);
    std::string tsv = "index";
    for (int c = 0; c < task.num_outputs(); ++c) {
      absl::StrAppend(&tsv, "\t", task.regression() ? "score" : "logit_" + task.labels[c]);
    }
    tsv += "\n";
    for (size_t i = 0; i < test.examples.size(); ++i) {
      tsv += test.examples[i].id;
      for (int c = 0; c < task.num_outputs(); ++c) {
        double v = out[i][c].item<float>();
        absl::StrAppend(&tsv, "\t", Fmt(task.regression() ? v * output_scale : v));
      }
      tsv += "\n";
    }
    s = WriteFileAtomically(JoinPath(run_dir, test.name + "_outputs.tsv"), tsv);
    if (!s.ok()) return s;
  }
  nlohmann::ordered_json flags = RunFlags(o, setup, device);
  nlohmann::ordered_json metrics_json;
  metrics_json["task"] = task.name;
  metrics_json["run"] = run;
  metrics_json["seed"] = seed;
  metrics_json["metrics"] = *all_metrics;
  metrics_json["task_metric"] = PrimaryMetric(task.name);
  metrics_json["train_examples"] = data.train.size();
  metrics_json["steps"] = summary.steps;
  metrics_json["mean_train_loss"] = summary.mean_loss;
  metrics_json["flags"] = flags;
  std::vector<std::string> test_files;
  for (const auto& t : data.tests) test_files.push_back(t.name + "_outputs.tsv:" + t.submission);
  metrics_json["test_outputs"] = test_files;
  s = WriteFileAtomically(JoinPath(run_dir, "metrics.json"), metrics_json.dump(2) + "\n");
  if (s.ok()) s = WriteFileAtomically(JoinPath(run_dir, "flags.json"), flags.dump(2) + "\n");
  if (s.ok() && o.save_model) {
    // The vocabulary and casing go along, so the saved directory fine-tunes and tokenizes as this
    // run did (finetune and HF's AutoTokenizer read them).
    SaveModelOptions files;
    absl::StatusOr<std::string> vocab = ReadFile(setup.vocab_path);
    if (!vocab.ok()) return vocab.status();
    files.extra_files = {{"vocab.txt", *vocab}, {"tokenizer_config.json", TokenizerConfigJson(setup.lowercase)}};
    s = SaveModelDir(JoinPath(run_dir, "model"), setup.config, *model, files).status();
  }
  if (s.ok()) s = WriteFileAtomically(JoinPath(run_dir, "DONE"), "done\n");
  return s;
}

}  // namespace

double LayerLrScale(const std::string& name, int num_layers, double decay, bool official_depth) {
  int top = official_depth ? num_layers + 2 : num_layers + 1;
  int depth = top;  // the task head
  if (absl::StartsWith(name, "electra.embeddings")) {
    depth = 0;  // embeddings and embeddings_project
  } else if (absl::StartsWith(name, "electra.encoder.layer.")) {
    int layer = 0;
    std::string rest = name.substr(std::string("electra.encoder.layer.").size());
    absl::SimpleAtoi(rest.substr(0, rest.find('.')), &layer);
    depth = layer + 1;
  }
  return std::pow(decay, top - depth);
}

absl::Status RunFinetuning(FinetuneOptions o) {
  absl::StatusOr<const TaskSpec*> task = CheckOptions(o);
  if (!task.ok()) return task.status();
  SetCpuThreads(o.threads);
  const std::string train_path = JoinPath(JoinPath(o.data_dir, (*task)->name), "train.tsv");
  if (!PathExists(train_path)) {
    return absl::NotFoundError(absl::StrCat("no training data for ", (*task)->name, ": ", train_path, " is missing"));
  }
  absl::StatusOr<Setup> setup = ResolveModel(o, *task);
  if (!setup.ok()) return setup.status();
  absl::StatusOr<TaskData> data = ReadTaskData(o, *setup);
  if (!data.ok()) return data.status();

  absl::StatusOr<DistributedContext> dist = DistributedContext::FromEnvironment();
  if (!dist.ok()) return dist.status();
  const bool chief = dist->rank() == 0;
  if (dist->world_size() > 1) o.quiet = o.quiet || !chief;
  absl::StatusOr<torch::Device> device = ResolveDevice(o.device, dist->local_rank());
  if (!device.ok()) return device.status();
  absl::Status connected = dist->Connect(*device);
  if (!connected.ok()) return connected;
  // bf16 autocast on CUDA and on CPUs with native bf16 (--precision=auto), fp32 elsewhere.
  absl::StatusOr<std::string> precision = ResolvePrecision(o.precision, *device, o.testing_emulated_bf16);
  if (!precision.ok()) return precision.status();
  if (*precision == "fp16") return absl::InvalidArgumentError("--precision: finetune runs in auto, fp32 or bf16");
  const bool autocast = *precision == "bf16";
  o.precision = *precision;

  for (int run = 0; run < o.runs; ++run) {
    std::string run_dir = JoinPath(JoinPath(o.output_dir, (*task)->name), absl::StrCat("run-", run));
    if (PathExists(JoinPath(run_dir, "DONE"))) {
      if (!o.quiet) std::fprintf(stderr, "finetune %s run %d: already done (%s)\n", (*task)->name.c_str(), run, run_dir.c_str());
      continue;
    }
    absl::Status s;
    if (chief) {
      s = RemoveAll(run_dir);
      if (s.ok()) s = MakeDirectories(run_dir);
      if (!s.ok()) return absl::Status(s.code(), absl::StrCat("--output_dir: ", s.message()));
    }
    const uint64_t seed = o.seed + run;
    SeedEverything(seed);
    Classifier model(setup->config, (*task)->num_outputs(), o.dropout);
    s = LoadModelDir(o.model_dir, *model, setup->load);
    if (!s.ok()) return s;
    model->to(*device);
    FlatAdamW optimizer(BuildParamGroups(model, setup->config, o), AdamWOptions{});
    // Every rank holds the same weights (same seed and checkpoint); rank 0's are broadcast anyway.
    dist->BroadcastParameters(optimizer);
    TrainSummary summary = TrainOneRun(model, optimizer, o, *setup, data->train, *dist, *device, autocast, run, seed);
    if (summary.skipped_updates > 0 && !o.quiet) {
      std::fprintf(stderr, "finetune %s run %d: %lld update(s) skipped for NaN/Inf gradients\n", (*task)->name.c_str(),
                   run, (long long)summary.skipped_updates);
    }
    if (!chief) {
      dist->Barrier();
      continue;
    }
    std::map<std::string, double> metrics;
    s = WriteRunOutputs(model, o, *setup, *data, summary, *device, autocast, run_dir, run, seed, &metrics);
    if (!s.ok()) return s;
    dist->Barrier();
    if (!o.quiet) {
      std::string summary_text;
      for (const auto& [k, v] : metrics) absl::StrAppendFormat(&summary_text, " %s %.2f", k, v);
      std::fprintf(stderr, "finetune %s run %d (seed %llu):%s -> %s\n", (*task)->name.c_str(), run,
                   (unsigned long long)seed, summary_text.c_str(), run_dir.c_str());
    }
  }
  return absl::OkStatus();
}

}  // namespace electra
