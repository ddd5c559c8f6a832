#include "glue/probe.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/file_util.h"
#include "eval/metrics.h"
#include "glue/tasks.h"
#include "model/electra.h"
#include "model/model_dir.h"
#include "model/safetensors.h"
#include "model/torch_compat.h"
#include "nlohmann/json.hpp"
#include "tokenizer/bert_tokenizer.h"
#include "train/device.h"

namespace electra {
namespace {

struct Sentences {
  std::vector<std::vector<int32_t>> ids;
  std::vector<int64_t> labels;
};

// Step 1: the task's sentences, tokenized with one model directory's vocabulary and casing.
absl::StatusOr<Sentences> ReadSentences(const TaskSpec& task, const SplitLayout& layout, const std::string& path,
                                        const BertTokenizer& tokenizer, int64_t limit, int max_len) {
  ReadStats stats;
  auto rows = ReadGlueFile(task, layout, path, false, &stats);
  if (!rows.ok()) return rows.status();
  Sentences s;
  for (const GlueExample& e : *rows) {
    if (limit >= 0 && static_cast<int64_t>(s.ids.size()) >= limit) break;
    s.ids.push_back(tokenizer.EncodeSingle(tokenizer.Tokenize(e.a), max_len, false).ids);
    s.labels.push_back(e.label);
  }
  if (s.ids.empty()) return absl::InvalidArgumentError(path + ": no examples");
  return s;
}

// Step 2: final-layer features of every sentence: the [CLS] vector and the mean over real tokens,
// each (N, H), in fp32.
std::pair<torch::Tensor, torch::Tensor> Features(ElectraModel& encoder, const Sentences& s, bool autocast) {
  torch::NoGradGuard no_grad;
  encoder->eval();
  std::vector<torch::Tensor> cls, mean;
  const size_t batch = 64;
  for (size_t b = 0; b < s.ids.size(); b += batch) {
    size_t e = std::min(s.ids.size(), b + batch);
    int64_t T = 1;
    for (size_t i = b; i < e; ++i) T = std::max<int64_t>(T, s.ids[i].size());
    auto ids = torch::zeros({static_cast<int64_t>(e - b), T}, torch::kLong), mask = torch::zeros_like(ids);
    for (size_t i = b; i < e; ++i) {
      for (size_t t = 0; t < s.ids[i].size(); ++t) {
        ids[i - b][t] = s.ids[i][t];
        mask[i - b][t] = 1;
      }
    }
    torch::Tensor h;  // (n, T, H)
    {
      AutocastScope scope(autocast, torch::kBFloat16, torch::kCPU);
      h = encoder(ids, mask, torch::zeros_like(ids)).to(torch::kFloat32);
    }
    auto m = mask.to(torch::kFloat32).unsqueeze(-1);  // (n, T, 1)
    cls.push_back(h.select(1, 0));
    mean.push_back((h * m).sum(1) / m.sum(1));
  }
  return {torch::cat(cls), torch::cat(mean)};
}

// Step 3: standardize with the training set's statistics, fit, score on dev.
ProbeScore FitAndScore(torch::Tensor train_x, const torch::Tensor& train_y, torch::Tensor dev_x,
                       const torch::Tensor& dev_y, int classes, double c) {
  auto mu = train_x.mean(0), sd = train_x.std(0).clamp_min(1e-6);
  train_x = (train_x - mu) / sd;
  dev_x = (dev_x - mu) / sd;
  auto [w, b] = FitLogisticRegression(train_x.to(torch::kFloat64), train_y, classes, c);
  auto predicted = (dev_x.to(torch::kFloat64).matmul(w) + b).argmax(1);
  std::vector<int> p(predicted.data_ptr<int64_t>(), predicted.data_ptr<int64_t>() + predicted.numel());
  std::vector<int> g(dev_y.data_ptr<int64_t>(), dev_y.data_ptr<int64_t>() + dev_y.numel());
  ProbeScore s;
  s.accuracy = 100 * Accuracy(p, g);
  s.mcc = 100 * MatthewsCorrelation(p, g);
  return s;
}

double MeanPairwiseCosine(const torch::Tensor& x) {
  auto n = x / x.norm(2, 1, true).clamp_min(1e-12);
  auto sim = n.matmul(n.t());
  const double count = static_cast<double>(x.size(0));
  if (count < 2) return 1.0;
  return ((sim.sum() - sim.diagonal().sum()) / (count * (count - 1))).item<double>();
}

}  // namespace

std::pair<torch::Tensor, torch::Tensor> FitLogisticRegression(const torch::Tensor& x, const torch::Tensor& y,
                                                             int classes, double c) {
  const int64_t D = x.size(1);
  // Two classes: one weight vector on the sigmoid, as scikit-learn (a 2-way softmax would penalize
  // the same logit difference half as much); more: the multinomial softmax.
  const int64_t K = classes == 2 ? 1 : classes;
  auto opts = torch::TensorOptions().dtype(torch::kFloat64).requires_grad(true);
  torch::Tensor w = torch::zeros({D, K}, opts), b = torch::zeros({K}, opts);
  torch::optim::LBFGS lbfgs({w, b}, torch::optim::LBFGSOptions(1.0)
                                        .max_iter(500)
                                        .tolerance_grad(1e-10)
                                        .tolerance_change(1e-14)
                                        .history_size(20)
                                        .line_search_fn("strong_wolfe"));
  auto closure = [&]() {
    lbfgs.zero_grad();
    torch::Tensor logits = x.matmul(w) + b;
    torch::Tensor data = K == 1 ? torch::binary_cross_entropy_with_logits(logits.squeeze(1), y.to(torch::kFloat64), {},
                                                                          {}, at::Reduction::Sum)
                                : torch::nn::functional::cross_entropy(
                                      logits, y, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum));
    auto loss = data + w.pow(2).sum() / (2 * c);
    loss.backward();
    return loss;
  };
  for (int round = 0; round < 4; ++round) lbfgs.step(closure);
  if (K == 1) {
    return {torch::cat({torch::zeros({D, 1}, torch::kFloat64), w.detach()}, 1),
            torch::cat({torch::zeros({1}, torch::kFloat64), b.detach()})};
  }
  return {w.detach(), b.detach()};
}

absl::StatusOr<ProbeResult> RunProbe(const ProbeOptions& o) {
  const TaskSpec* task = FindTask(o.task);
  if (task == nullptr || task->regression() || task->dev.text_b >= 0) {
    return absl::InvalidArgumentError("--task: the probe takes a single-sentence classification task (SST-2 or CoLA), not '" +
                                      o.task + "'");
  }
  if (o.models.empty()) return absl::InvalidArgumentError("--model: at least one model directory is required");
  SetCpuThreads(o.threads);
  absl::StatusOr<std::string> precision = ResolvePrecision(o.precision, torch::kCPU, o.testing_emulated_bf16);
  if (!precision.ok()) return precision.status();
  if (*precision == "fp16") return absl::InvalidArgumentError("--precision: the probe runs in auto, fp32 or bf16");
  const std::string train_path = JoinPath(JoinPath(o.data_dir, task->name), "train.tsv");
  const std::string dev_path = JoinPath(JoinPath(o.data_dir, task->name), "dev.tsv");
  ProbeResult result;
  result.task = task->name;
  for (size_t i = 0; i < o.models.size(); ++i) {
    const std::string& dir = o.models[i];
    std::string note;
    absl::Status verified = VerifyModelDir(dir, &note);
    if (!verified.ok()) return absl::Status(verified.code(), absl::StrCat("--model: ", verified.message()));
    absl::StatusOr<ElectraConfig> config = ReadModelConfig(dir);
    if (!config.ok()) return absl::Status(config.status().code(), absl::StrCat("--model: ", config.status().message()));
    absl::StatusOr<std::optional<bool>> lower = ReadDoLowerCase(dir);
    if (!lower.ok()) return lower.status();
    NormalizerOptions norm;
    norm.lowercase = norm.strip_accents = lower->value_or(true);
    auto tokenizer = BertTokenizer::FromFile(JoinPath(dir, "vocab.txt"), norm);
    if (!tokenizer.ok()) return tokenizer.status();
    auto train = ReadSentences(*task, task->train, train_path, **tokenizer, o.train_limit, o.max_seq_length);
    if (!train.ok()) return train.status();
    auto dev = ReadSentences(*task, task->dev, dev_path, **tokenizer, o.dev_limit, o.max_seq_length);
    if (!dev.ok()) return dev.status();
    // The backbone only ("electra." in pretraining checkpoints, none in an HF ElectraModel).
    ElectraModel encoder(*config);
    auto weights = SafetensorsFile::Read(JoinPath(dir, "model.safetensors"));
    if (!weights.ok()) return weights.status();
    struct Holder : torch::nn::Module {
      explicit Holder(ElectraModel m) { electra = register_module("electra", m); }
      ElectraModel electra{nullptr};
    };
    auto holder = std::make_shared<Holder>(encoder);
    LoadOptions load;
    load.ignore_prefixes = {"discriminator_predictions.", "generator_predictions.", "generator_lm_head.", "classifier."};
    if (weights->Find("electra.embeddings.word_embeddings.weight") == nullptr) load.add_prefix = "electra.";
    absl::Status s = LoadModelDir(dir, *holder, load);
    if (!s.ok()) return s;
    auto [train_cls, train_mean] = Features(encoder, *train, *precision == "bf16");
    auto [dev_cls, dev_mean] = Features(encoder, *dev, *precision == "bf16");
    auto train_y = torch::tensor(train->labels, torch::kLong), dev_y = torch::tensor(dev->labels, torch::kLong);
    const int classes = task->num_outputs();
    ProbeRow row;
    row.model = dir;
    row.label = i < o.labels.size() ? o.labels[i] : dir;
    row.cls = FitAndScore(train_cls, train_y, dev_cls, dev_y, classes, o.c);
    row.mean = FitAndScore(train_mean, train_y, dev_mean, dev_y, classes, o.c);
    row.cls_cosine = MeanPairwiseCosine(dev_cls);
    result.rows.push_back(row);
    if (i == 0) {
      result.train_examples = static_cast<int64_t>(train->labels.size());
      result.dev_examples = static_cast<int64_t>(dev->labels.size());
      std::map<int64_t, int64_t> counts;
      for (int64_t l : train->labels) ++counts[l];
      int64_t majority = std::max_element(counts.begin(), counts.end(), [](auto& a, auto& b) { return a.second < b.second; })->first;
      result.majority_accuracy = 100.0 * std::count(dev->labels.begin(), dev->labels.end(), majority) / dev->labels.size();
    }
    if (!o.quiet) {
      std::fprintf(stderr, "probe %s %s: [CLS] acc %.2f, mean acc %.2f\n", task->name.c_str(), row.label.c_str(),
                   row.cls.accuracy, row.mean.accuracy);
    }
  }
  return result;
}

std::string ProbeTable(const ProbeResult& r) {
  const bool cola = r.task == "CoLA";
  std::string out = absl::StrFormat(
      "Linear probe on frozen final-layer features, %s: logistic regression (C = 1) fitted on the first %d training "
      "sentences, scored on %d dev sentences. Majority class: %.2f%% accuracy%s.\n\n",
      r.task, r.train_examples, r.dev_examples, r.majority_accuracy, cola ? ", MCC 0" : "");
  out += cola ? "| model | [CLS] MCC | [CLS] acc | mean-over-tokens MCC | mean-over-tokens acc | [CLS] mean cosine |\n|---|---|---|---|---|---|\n"
              : "| model | [CLS] acc | mean-over-tokens acc | [CLS] mean cosine |\n|---|---|---|---|\n";
  for (const auto& row : r.rows) {
    if (cola) {
      absl::StrAppendFormat(&out, "| %s | %.2f | %.2f | %.2f | %.2f | %.3f |\n", row.label, row.cls.mcc, row.cls.accuracy,
                            row.mean.mcc, row.mean.accuracy, row.cls_cosine);
    } else {
      absl::StrAppendFormat(&out, "| %s | %.2f | %.2f | %.3f |\n", row.label, row.cls.accuracy, row.mean.accuracy,
                            row.cls_cosine);
    }
  }
  absl::StrAppendFormat(&out, "| majority class | %s |\n",
                        cola ? absl::StrFormat("0.00 | %.2f | 0.00 | %.2f | - ", r.majority_accuracy, r.majority_accuracy)
                             : absl::StrFormat("%.2f | %.2f | - ", r.majority_accuracy, r.majority_accuracy));
  return out;
}

std::string ProbeJson(const ProbeResult& r) {
  nlohmann::ordered_json j;
  j["task"] = r.task;
  j["train_examples"] = r.train_examples;
  j["dev_examples"] = r.dev_examples;
  j["majority_accuracy"] = r.majority_accuracy;
  for (const auto& row : r.rows) {
    nlohmann::ordered_json e;
    e["label"] = row.label;
    e["model"] = row.model;
    e["cls_accuracy"] = row.cls.accuracy;
    e["cls_mcc"] = row.cls.mcc;
    e["mean_accuracy"] = row.mean.accuracy;
    e["mean_mcc"] = row.mean.mcc;
    e["cls_mean_cosine"] = row.cls_cosine;
    j["rows"].push_back(e);
  }
  return j.dump(2) + "\n";
}

}  // namespace electra
