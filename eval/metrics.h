// GLUE metrics as GLUE defines them: Matthews correlation (CoLA), accuracy, F1 of the positive
// class (MRPC, QQP), Pearson and Spearman correlation (STS-B). Degenerate inputs give 0 instead
// of NaN (one class only for MCC, as scikit-learn; zero variance for the correlations), so a
// GLUE average can still be taken.
#ifndef ELECTRA_EVAL_METRICS_H_
#define ELECTRA_EVAL_METRICS_H_

#include <map>
#include <string>
#include <vector>

namespace electra {

double Accuracy(const std::vector<int>& predictions, const std::vector<int>& labels);
double F1(const std::vector<int>& predictions, const std::vector<int>& labels, int positive = 1);
double MatthewsCorrelation(const std::vector<int>& predictions, const std::vector<int>& labels);
double Pearson(const std::vector<double>& x, const std::vector<double>& y);
// Pearson correlation of the ranks; ties take the average of their ranks.
double Spearman(const std::vector<double>& x, const std::vector<double>& y);
// Average ranks (1-based) with ties averaged.
std::vector<double> Ranks(const std::vector<double>& x);

// The metrics of a GLUE task (by folder name) on a dev set, as percentages (x100), e.g.
// {"mcc": 56.8} for CoLA, {"f1": ..., "accuracy": ...} for MRPC; regression uses `scores`.
std::map<std::string, double> TaskMetrics(const std::string& task, const std::vector<int>& predictions,
                                          const std::vector<int>& labels, const std::vector<double>& scores = {},
                                          const std::vector<double>& targets = {});

// The metrics of your own task (glue/user_task.h), as percentages: accuracy always for
// classification, plus "f1" (of the second label) or "mcc" when that is its metric; "pearson"
// and "spearman" for regression.
std::map<std::string, double> UserTaskMetrics(const std::string& metric, const std::vector<int>& predictions,
                                              const std::vector<int>& labels, const std::vector<double>& scores = {},
                                              const std::vector<double>& targets = {});

// A chunk of a BIO tag sequence: tags [begin, end) of one type.
struct Span {
  int begin, end;
  std::string type;
  bool operator<(const Span& o) const;
  bool operator==(const Span& o) const;
};
// The chunks of one sentence's tags as conlleval reads BIO: "B-X" starts a chunk of type X, "I-X"
// continues one of type X (and starts one after "O" or another type), "O" is outside; any other
// tag T reads as "I-T".
std::vector<Span> BioSpans(const std::vector<std::string>& tags);

// Word-level scores of a tagging task over sentences: "accuracy" always, and with
// `spans` "span_f1", "span_precision" and "span_recall" (exact chunk matches), as percentages.
std::map<std::string, double> TaggingMetrics(const std::vector<std::vector<std::string>>& predicted,
                                             const std::vector<std::vector<std::string>>& gold, bool spans);

// The metric that scores a task as the ELECTRA paper (section 3.1) and the official README's table
// do: "mcc" for CoLA, "spearman" for STS-B, "accuracy" for every other task (MRPC and QQP
// included; their F1 and STS-B's Pearson are diagnostics). `task` is a GLUE folder name or a
// table column (MNLI-m, MNLI-mm).
std::string PrimaryMetric(const std::string& task);
// Its short name for table headers: "MCC", "Spearman" or "acc".
std::string PrimaryMetricLabel(const std::string& task);

// The task's score: its primary metric from `metrics` (0 when absent).
double TaskScore(const std::string& task, const std::map<std::string, double>& metrics);

}  // namespace electra

#endif  // ELECTRA_EVAL_METRICS_H_
