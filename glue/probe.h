// A linear probe on frozen features: how much of a single-sentence GLUE task (SST-2, CoLA) a
// pretrained encoder's final layer makes linearly readable, without fine-tuning. The encoder runs
// once over N training and all dev sentences (no gradient, dropout off); logistic regression (L2,
// scikit-learn's LogisticRegression default C = 1, on standardized features) is fitted on the [CLS]
// vector and on the mean over real tokens; both are scored on the dev set beside the majority class.
// A run is judged in a minute instead of an hour of fine-tuning.
#ifndef ELECTRA_GLUE_PROBE_H_
#define ELECTRA_GLUE_PROBE_H_

#include <string>
#include <vector>

#include <torch/torch.h>

#include "absl/status/statusor.h"

namespace electra {

struct ProbeOptions {
  std::string task = "SST-2";  // a single-sentence GLUE task: SST-2 or CoLA
  std::string data_dir;        // DATA_DIR/<task>/{train,dev}.tsv
  std::vector<std::string> models;  // model directories to probe (e.g. pretrained, untrained)
  std::vector<std::string> labels;  // their names in the table (default: the directories)
  int64_t train_limit = 2000;  // first N training sentences
  int64_t dev_limit = -1;      // -1: the whole dev set
  int max_seq_length = 128;
  double c = 1.0;              // inverse L2 strength, as scikit-learn's C
  std::string precision = "auto";
  bool testing_emulated_bf16 = false;
  int threads = 0;
  bool quiet = false;
};

struct ProbeScore {
  double accuracy = 0;  // x100, dev
  double mcc = 0;       // x100, dev (CoLA's score)
};

struct ProbeRow {
  std::string label, model;
  ProbeScore cls, mean;        // [CLS] vector, mean over real tokens
  double cls_cosine = 0;       // mean cosine similarity of the [CLS] vectors of different dev sentences
};

struct ProbeResult {
  std::string task;
  int64_t train_examples = 0, dev_examples = 0;
  double majority_accuracy = 0;  // x100: always the most frequent training label, on dev
  std::vector<ProbeRow> rows;
};

// Logistic regression on float64 features X (N, D) with labels y (N) in [0, classes): minimizes
// sum(log-loss) + ||W||^2 / (2 C), the bias unpenalized, as scikit-learn's LogisticRegression does
// (binary: one sigmoid weight vector; more classes: multinomial). Returns (weights (D, classes),
// bias (classes)); for two classes column 0 is zero and column 1 holds the sigmoid's weights.
std::pair<torch::Tensor, torch::Tensor> FitLogisticRegression(const torch::Tensor& x, const torch::Tensor& y,
                                                             int classes, double c);

absl::StatusOr<ProbeResult> RunProbe(const ProbeOptions& options);

std::string ProbeTable(const ProbeResult& result);
std::string ProbeJson(const ProbeResult& result);

}  // namespace electra

#endif  // ELECTRA_GLUE_PROBE_H_
