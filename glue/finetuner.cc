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
#include "glue/inference.h"
#include "glue/tasks.h"
#include "glue/user_task.h"
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

struct EvalSet {
  std::string name;  // "dev", "dev_matched", "test", "test_matched", "ax"
  std::string submission;  // for test sets: the GLUE server file name
  std::vector<Encoded> examples;
  std::vector<TaggedSentence> sentences;  // tagging: the sentences the examples' windows cover
};

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
  const TaskSpec* task = nullptr;  // a GLUE task, or *owned_task for the user's own task
  std::shared_ptr<TaskSpec> owned_task;
  std::optional<UserTask> user;  // the user's own task (--task_spec)
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

// Flags shared by GLUE and user tasks.
absl::Status CheckRunOptions(const FinetuneOptions& o) {
  if (o.runs < 1) return absl::InvalidArgumentError("--runs: must be at least 1");
  if (o.batch_size < 1) return absl::InvalidArgumentError("--batch_size: must be at least 1");
  if (o.max_seq_length < 8 || o.max_seq_length > 512) return absl::InvalidArgumentError("--max_seq_length: must be in [8, 512]");
  if (!(o.weight_decay >= 0)) return absl::InvalidArgumentError("--weight_decay: must be >= 0");
  if (o.loss_reduction != "sum" && o.loss_reduction != "mean") {
    return absl::InvalidArgumentError("--loss_reduction: must be sum (the official code) or mean (the PyTorch replication)");
  }
  return absl::OkStatus();
}

// Step 1: flags that need no file.
absl::StatusOr<const TaskSpec*> CheckOptions(const FinetuneOptions& o) {
  if (!o.task_spec.empty()) return nullptr;  // the user's own task: ResolveUserTask reads it
  const TaskSpec* task = FindTask(o.task);
  if (task == nullptr) {
    return absl::InvalidArgumentError("--task: unknown GLUE task '" + o.task +
                                      "' (CoLA, SST-2, MRPC, STS-B, QQP, MNLI, QNLI, RTE, WNLI; or describe your "
                                      "own task with --task_spec=FILE)");
  }
  absl::Status s = CheckRunOptions(o);
  if (!s.ok()) return s;
  return task;
}

// Step 1b: the user's own task: its spec file, and its labels (by default the training file's).
absl::StatusOr<UserTask> ResolveUserTask(const FinetuneOptions& o) {
  absl::StatusOr<UserTask> task = ReadUserTask(o.task_spec);
  if (!task.ok()) return task.status();
  absl::Status s = CheckRunOptions(o);
  if (!s.ok()) return s;
  s = FillDefaultLabels(&*task, o.task_spec);
  if (!s.ok()) return s;
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
absl::StatusOr<Setup> ResolveModel(FinetuneOptions& o, const TaskSpec* task, std::optional<UserTask> user) {
  Setup setup;
  if (user.has_value()) {
    setup.owned_task = std::make_shared<TaskSpec>(UserTaskSpec(*user));
    task = setup.owned_task.get();
    setup.user = std::move(user);
  }
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
  // STS-B's 0-5 scores train on 0-1 (official); the user's regression targets as they are.
  setup.target_scale = task->regression() && !setup.user && o.scale_regression_targets ? 1.0 / kRegressionMax : 1.0;

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

template <typename T>
std::vector<T> Limit(std::vector<T> v, int64_t n) {
  if (n >= 0 && static_cast<int64_t>(v.size()) > n) v.resize(n);
  return v;
}

// Step 3 for the user's own tagging task: CoNLL-style files, encoded as windows.
absl::StatusOr<std::pair<std::vector<Encoded>, std::vector<TaggedSentence>>> ReadTaggingSet(
    const FinetuneOptions& o, const Setup& setup, const std::string& path, bool labelled, int64_t limit) {
  absl::StatusOr<std::vector<TaggedSentence>> sentences = ReadConll(path, labelled);
  if (!sentences.ok()) return sentences.status();
  *sentences = Limit(*std::move(sentences), limit);
  std::vector<std::vector<int>> tags;
  if (labelled) {
    absl::StatusOr<std::vector<std::vector<int>>> t = LabelTags(*setup.user, *sentences, path);
    if (!t.ok()) return t.status();
    tags = *std::move(t);
  }
  std::vector<Encoded> encoded = EncodeTagged(*setup.tokenizer, *sentences, tags, o.max_seq_length);
  return std::make_pair(std::move(encoded), *std::move(sentences));
}

// Step 3 for the user's own sentence or pair task: TSV, CSV or JSON Lines.
absl::StatusOr<std::vector<Encoded>> ReadRowSet(const FinetuneOptions& o, const Setup& setup, const std::string& path,
                                                bool labelled, int64_t limit) {
  absl::StatusOr<std::vector<UserRow>> rows = ReadUserRows(*setup.user, path, labelled, setup.user->format);
  if (!rows.ok()) return rows.status();
  absl::StatusOr<std::vector<GlueExample>> examples = LabelRows(*setup.user, Limit(*std::move(rows), limit), path, labelled);
  if (!examples.ok()) return examples.status();
  return EncodeExamples(*setup.tokenizer, *examples, o.max_seq_length, false);
}

// Step 3 for the user's own task: its train, dev and optional test file.
absl::StatusOr<TaskData> ReadUserTaskData(const FinetuneOptions& o, const Setup& setup) {
  const UserTask& user = *setup.user;
  TaskData data;
  struct Part {
    const std::string& path;
    bool labelled;
    int64_t limit;
    const char* name;
  };
  for (const Part& part : {Part{user.train, true, o.train_limit, "train"}, Part{user.dev, true, o.dev_limit, "dev"},
                           Part{user.test, false, o.test_limit, "test"}}) {
    if (part.path.empty()) continue;
    EvalSet set;
    set.name = part.name;
    if (user.tagging()) {
      auto read = ReadTaggingSet(o, setup, part.path, part.labelled, part.limit);
      if (!read.ok()) return read.status();
      set.examples = std::move(read->first);
      set.sentences = std::move(read->second);
    } else {
      auto read = ReadRowSet(o, setup, part.path, part.labelled, part.limit);
      if (!read.ok()) return read.status();
      set.examples = *std::move(read);
    }
    if (set.examples.empty() && part.labelled) return absl::InvalidArgumentError(part.path + ": no examples");
    if (set.name == "train") {
      data.train = std::move(set.examples);
    } else if (set.name == "dev") {
      data.devs.push_back(std::move(set));
    } else {
      data.tests.push_back(std::move(set));
    }
  }
  return data;
}

// Step 3: reads and encodes the task's files.
absl::StatusOr<TaskData> ReadTaskData(const FinetuneOptions& o, const Setup& setup) {
  if (setup.user.has_value()) return ReadUserTaskData(o, setup);
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
  data.train = EncodeExamples(tokenizer, train_raw, o.max_seq_length, false);
  if (task.double_with_swapped_pair) {
    std::vector<Encoded> swapped = EncodeExamples(tokenizer, train_raw, o.max_seq_length, true);
    data.train.insert(data.train.end(), swapped.begin(), swapped.end());
  }
  for (const auto& f : task.dev_files) {
    std::string p = JoinPath(task_dir, f);
    if (!PathExists(p)) continue;
    auto rows = ReadGlueFile(task, task.dev, p, o.skip_malformed, &stats);
    if (!rows.ok()) return rows.status();
    data.devs.push_back({f.substr(0, f.size() - 4), "", EncodeExamples(tokenizer, limit(*rows, o.dev_limit), o.max_seq_length, false), {}});
  }
  if (data.devs.empty()) return absl::NotFoundError(absl::StrCat("no dev set for ", task.name, " in ", task_dir));
  for (size_t i = 0; i < task.test_files.size(); ++i) {
    std::string p = JoinPath(task_dir, task.test_files[i]);
    if (!PathExists(p)) continue;
    auto rows = ReadGlueFile(task, task.test, p, o.skip_malformed, &stats);
    if (!rows.ok()) return rows.status();
    const std::string& f = task.test_files[i];
    data.tests.push_back({f.substr(0, f.size() - 4), task.submission_names[i],
                          EncodeExamples(tokenizer, limit(*rows, o.test_limit), o.max_seq_length, false), {}});
  }
  if (task.name == "MNLI") {
    std::string ax = FindAxFile(o.data_dir);
    if (!ax.empty()) {
      auto rows = ReadGlueFile(AxTask(), AxTask().test, ax, o.skip_malformed, &stats);
      if (!rows.ok()) return rows.status();
      data.tests.push_back({"ax", "AX.tsv", EncodeExamples(tokenizer, limit(*rows, o.test_limit), o.max_seq_length, false), {}});
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
        Batch x = MakeBatch(train, order, mine_begin, mine_end, device, task.tagging);
        AutocastScope scope(autocast, torch::kBFloat16, device.type());
        // (b, C), or for tagging (words, C): a sentence's loss is the sum over its words.
        torch::Tensor out = BatchOutputs(model, x, task.tagging).to(torch::kFloat32);
        torch::Tensor per = task.regression()
                                ? (out.squeeze(-1) - x.scores * setup.target_scale).pow(2)
                                : torch::nn::functional::cross_entropy(
                                      out, task.tagging ? x.word_tags : x.labels,
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
  if (!o.task_spec.empty()) flags["task_spec"] = o.task_spec;
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

// How this run's outputs become predictions (saved with the model as task.json).
PredictionTask MakePredictionTask(const FinetuneOptions& o, const Setup& setup) {
  PredictionTask p;
  p.task = setup.user.has_value() ? *setup.user : GlueUserTask(*setup.task);
  p.max_seq_length = o.max_seq_length;
  p.lowercase = setup.lowercase;
  p.output_scale = 1.0 / setup.target_scale;  // regression outputs go back to the label's scale
  if (setup.task->regression() && !setup.user.has_value()) {
    p.clamp = true;  // STS-B: 0-5
    p.clamp_max = kRegressionMax;
  }
  return p;
}

// Step 6a: one dev set of a sentence or pair task: its metrics and dev_predictions.tsv.
std::map<std::string, double> ScoreRows(const Setup& setup, const PredictionTask& p, const EvalSet& dev,
                                        const torch::Tensor& out, std::string* tsv) {
  const TaskSpec& task = *setup.task;
  std::vector<int> pred, gold;
  std::vector<double> score, target;
  *tsv = "index\tprediction\tlabel\n";
  for (size_t i = 0; i < dev.examples.size(); ++i) {
    const Encoded& e = dev.examples[i];
    if (task.regression()) {
      double v = RegressionPrediction(p, out[i][0].item<float>());
      score.push_back(v);
      target.push_back(e.score);
      absl::StrAppend(tsv, e.id, "\t", setup.user ? Fmt(v) : absl::StrFormat("%.3f", v), "\t", Fmt(e.score), "\n");
    } else {
      int k = static_cast<int>(out[i].argmax().item<int64_t>());
      pred.push_back(k);
      gold.push_back(e.label);
      absl::StrAppend(tsv, e.id, "\t", task.labels[k], "\t", task.labels[e.label], "\n");
    }
  }
  return setup.user ? UserTaskMetrics(task.metric, pred, gold, score, target)
                    : TaskMetrics(task.name, pred, gold, score, target);
}

// Step 6b: the dev set of a tagging task: word accuracy (and span F1) and its predictions, CoNLL-style
// with the gold tag beside each word.
std::map<std::string, double> ScoreTags(const Setup& setup, const PredictionTask& p, const EvalSet& dev,
                                        const torch::Tensor& out, std::string* tsv) {
  std::vector<std::vector<std::string>> predicted = PredictedTags(p, dev.sentences, out), gold;
  for (const TaggedSentence& s : dev.sentences) gold.push_back(s.tags);
  *tsv = FormatTagPredictions(dev.sentences, predicted, true);
  return TaggingMetrics(predicted, gold, setup.task->metric == "span_f1");
}

// Step 6c: a test set: GLUE tasks' outputs for write_tsv (logits, or the score), or a user
// task's predictions as `predict` writes them.
std::string TestOutputs(const Setup& setup, const PredictionTask& p, const EvalSet& test, const torch::Tensor& out) {
  const TaskSpec& task = *setup.task;
  if (setup.user.has_value()) {
    if (task.tagging) return FormatTagPredictions(test.sentences, PredictedTags(p, test.sentences, out), false);
    std::vector<std::string> ids;
    for (const Encoded& e : test.examples) ids.push_back(e.id);
    return FormatRowPredictions(p, ids, out);
  }
  std::string tsv = "index";
  for (int c = 0; c < task.num_outputs(); ++c) {
    absl::StrAppend(&tsv, "\t", task.regression() ? "score" : "logit_" + task.labels[c]);
  }
  tsv += "\n";
  for (size_t i = 0; i < test.examples.size(); ++i) {
    tsv += test.examples[i].id;
    for (int c = 0; c < task.num_outputs(); ++c) {
      double v = out[i][c].item<float>();
      absl::StrAppend(&tsv, "\t", Fmt(task.regression() ? v * p.output_scale : v));
    }
    tsv += "\n";
  }
  return tsv;
}

// Step 6d: the fine-tuned model with everything `predict` needs: the vocabulary, casing and the
// task's description (task.json).
absl::Status SaveFinetunedModel(Classifier& model, const Setup& setup, const PredictionTask& p, const std::string& dir) {
  SaveModelOptions files;
  absl::StatusOr<std::string> vocab = ReadFile(setup.vocab_path);
  if (!vocab.ok()) return vocab.status();
  files.extra_files = {{"vocab.txt", *vocab},
                       {"tokenizer_config.json", TokenizerConfigJson(setup.lowercase)},
                       {"task.json", PredictionTaskJson(p).dump(2) + "\n"}};
  return SaveModelDir(dir, setup.config, *model, files).status();
}

// Step 6: predicts the dev sets (metrics and predictions) and the test sets (outputs for
// write_tsv, or a user task's predictions), then writes metrics.json, flags.json, the model if
// asked, and DONE last.
absl::Status WriteRunOutputs(Classifier& model, const FinetuneOptions& o, const Setup& setup, const TaskData& data,
                             const TrainSummary& summary, torch::Device device, bool autocast, const std::string& run_dir,
                             int run, uint64_t seed, std::map<std::string, double>* all_metrics) {
  const TaskSpec& task = *setup.task;
  const PredictionTask p = MakePredictionTask(o, setup);
  absl::Status s;
  for (const EvalSet& dev : data.devs) {
    torch::Tensor out = PredictSet(model, dev.examples, o.eval_batch_size, device, autocast, task.tagging);
    std::string tsv;
    std::map<std::string, double> m =
        task.tagging ? ScoreTags(setup, p, dev, out, &tsv) : ScoreRows(setup, p, dev, out, &tsv);
    std::string suffix = dev.name == "dev_mismatched" ? "_mm" : (dev.name == "dev_matched" ? "_m" : "");
    for (const auto& [k, v] : m) (*all_metrics)[k + suffix] = v;
    s = WriteFileAtomically(JoinPath(run_dir, dev.name + "_predictions.tsv"), tsv);
    if (!s.ok()) return s;
  }
  std::vector<std::string> test_files;
  for (const EvalSet& test : data.tests) {
    torch::Tensor out = PredictSet(model, test.examples, o.eval_batch_size, device, autocast, task.tagging);
    const std::string file = test.name + (setup.user ? "_predictions.tsv" : "_outputs.tsv");
    s = WriteFileAtomically(JoinPath(run_dir, file), TestOutputs(setup, p, test, out));
    if (!s.ok()) return s;
    if (!setup.user) test_files.push_back(file + ":" + test.submission);
  }
  nlohmann::ordered_json flags = RunFlags(o, setup, device);
  nlohmann::ordered_json metrics_json;
  metrics_json["task"] = task.name;
  metrics_json["run"] = run;
  metrics_json["seed"] = seed;
  metrics_json["metrics"] = *all_metrics;
  metrics_json["task_metric"] = setup.user ? task.metric : PrimaryMetric(task.name);
  metrics_json["train_examples"] = data.train.size();
  metrics_json["steps"] = summary.steps;
  metrics_json["mean_train_loss"] = summary.mean_loss;
  metrics_json["flags"] = flags;
  metrics_json["test_outputs"] = test_files;
  s = WriteFileAtomically(JoinPath(run_dir, "metrics.json"), metrics_json.dump(2) + "\n");
  if (s.ok()) s = WriteFileAtomically(JoinPath(run_dir, "flags.json"), flags.dump(2) + "\n");
  if (s.ok() && o.save_model) s = SaveFinetunedModel(model, setup, p, JoinPath(run_dir, "model"));
  if (s.ok()) s = WriteFileAtomically(JoinPath(run_dir, "DONE"), "done\n");
  return s;
}

// A classification training set with a single label (the first rows of a file sorted by label,
// say) can only teach that label: said on stderr before an hour is spent on it.
void WarnIfOneLabel(const FinetuneOptions& o, const TaskSpec& task, const std::vector<Encoded>& train) {
  if (o.quiet || task.regression() || task.tagging || train.empty()) return;
  const int first = train.front().label;
  for (const Encoded& e : train) {
    if (e.label != first) return;
  }
  std::fprintf(stderr,
               "finetune %s: warning: all %zu training examples have the label '%s'%s; the model can only learn "
               "that label\n",
               task.name.c_str(), train.size(), task.labels[first].c_str(),
               o.train_limit >= 0 ? " (--train_limit takes the first rows: is the file sorted by label?)" : "");
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
  absl::StatusOr<const TaskSpec*> glue_task = CheckOptions(o);
  if (!glue_task.ok()) return glue_task.status();
  std::optional<UserTask> user;
  if (*glue_task == nullptr) {
    absl::StatusOr<UserTask> read = ResolveUserTask(o);
    if (!read.ok()) return read.status();
    user = *std::move(read);
  } else {
    const std::string train_path = JoinPath(JoinPath(o.data_dir, (*glue_task)->name), "train.tsv");
    if (!PathExists(train_path)) {
      return absl::NotFoundError(absl::StrCat("no training data for ", (*glue_task)->name, ": ", train_path, " is missing"));
    }
  }
  SetCpuThreads(o.threads);
  absl::StatusOr<Setup> setup = ResolveModel(o, *glue_task, std::move(user));
  if (!setup.ok()) return setup.status();
  const TaskSpec* const task = setup->task;
  absl::StatusOr<TaskData> data = ReadTaskData(o, *setup);
  if (!data.ok()) return data.status();
  WarnIfOneLabel(o, *task, data->train);

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
    std::string run_dir = JoinPath(JoinPath(o.output_dir, task->name), absl::StrCat("run-", run));
    if (PathExists(JoinPath(run_dir, "DONE"))) {
      if (!o.quiet) std::fprintf(stderr, "finetune %s run %d: already done (%s)\n", task->name.c_str(), run, run_dir.c_str());
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
    Classifier model(setup->config, task->num_outputs(), o.dropout);
    s = LoadModelDir(o.model_dir, *model, setup->load);
    if (!s.ok()) return s;
    model->to(*device);
    FlatAdamW optimizer(BuildParamGroups(model, setup->config, o), AdamWOptions{});
    // Every rank holds the same weights (same seed and checkpoint); rank 0's are broadcast anyway.
    dist->BroadcastParameters(optimizer);
    TrainSummary summary = TrainOneRun(model, optimizer, o, *setup, data->train, *dist, *device, autocast, run, seed);
    if (summary.skipped_updates > 0 && !o.quiet) {
      std::fprintf(stderr, "finetune %s run %d: %lld update(s) skipped for NaN/Inf gradients\n", task->name.c_str(),
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
      std::fprintf(stderr, "finetune %s run %d (seed %llu):%s -> %s\n", task->name.c_str(), run,
                   (unsigned long long)seed, summary_text.c_str(), run_dir.c_str());
    }
  }
  return absl::OkStatus();
}

}  // namespace electra
