#include "eval/metrics.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace electra {

double Accuracy(const std::vector<int>& p, const std::vector<int>& l) {
  if (p.empty()) return 0;
  size_t correct = 0;
  for (size_t i = 0; i < p.size(); ++i) correct += p[i] == l[i];
  return static_cast<double>(correct) / p.size();
}

double F1(const std::vector<int>& p, const std::vector<int>& l, int positive) {
  double tp = 0, fp = 0, fn = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    bool pp = p[i] == positive, lp = l[i] == positive;
    tp += pp && lp;
    fp += pp && !lp;
    fn += !pp && lp;
  }
  if (tp == 0) return 0;  // no true positives: precision or recall is 0 (or undefined)
  double precision = tp / (tp + fp), recall = tp / (tp + fn);
  return 2 * precision * recall / (precision + recall);
}

double MatthewsCorrelation(const std::vector<int>& p, const std::vector<int>& l) {
  double tp = 0, tn = 0, fp = 0, fn = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    bool pp = p[i] == 1, lp = l[i] == 1;
    tp += pp && lp;
    tn += !pp && !lp;
    fp += pp && !lp;
    fn += !pp && lp;
  }
  double denominator = std::sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn));
  if (denominator == 0) return 0;
  return (tp * tn - fp * fn) / denominator;
}

double Pearson(const std::vector<double>& x, const std::vector<double>& y) {
  size_t n = x.size();
  if (n < 2) return 0;
  double mx = std::accumulate(x.begin(), x.end(), 0.0) / n, my = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < n; ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  if (sxx == 0 || syy == 0) return 0;
  return sxy / std::sqrt(sxx * syy);
}

std::vector<double> Ranks(const std::vector<double>& x) {
  std::vector<size_t> order(x.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return x[a] < x[b]; });
  std::vector<double> ranks(x.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && x[order[j + 1]] == x[order[i]]) ++j;
    double average = (i + j) / 2.0 + 1;  // ranks i+1 .. j+1
    for (size_t k = i; k <= j; ++k) ranks[order[k]] = average;
    i = j + 1;
  }
  return ranks;
}

double Spearman(const std::vector<double>& x, const std::vector<double>& y) { return Pearson(Ranks(x), Ranks(y)); }

std::map<std::string, double> TaskMetrics(const std::string& task, const std::vector<int>& p,
                                          const std::vector<int>& l, const std::vector<double>& scores,
                                          const std::vector<double>& targets) {
  if (task == "CoLA") return {{"mcc", 100 * MatthewsCorrelation(p, l)}};
  if (task == "MRPC" || task == "QQP") return {{"f1", 100 * F1(p, l)}, {"accuracy", 100 * Accuracy(p, l)}};
  if (task == "STS-B") return {{"pearson", 100 * Pearson(scores, targets)}, {"spearman", 100 * Spearman(scores, targets)}};
  return {{"accuracy", 100 * Accuracy(p, l)}};
}

std::string PrimaryMetric(const std::string& task) {
  if (task == "CoLA") return "mcc";
  if (task == "STS-B") return "spearman";
  return "accuracy";
}

std::string PrimaryMetricLabel(const std::string& task) {
  if (task == "CoLA") return "MCC";
  if (task == "STS-B") return "Spearman";
  return "acc";
}

double TaskScore(const std::string& task, const std::map<std::string, double>& metrics) {
  auto it = metrics.find(PrimaryMetric(task));
  return it == metrics.end() ? 0 : it->second;
}

}  // namespace electra
