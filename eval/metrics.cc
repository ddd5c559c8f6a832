#include "eval/metrics.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <numeric>
#include <tuple>

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

std::map<std::string, double> UserTaskMetrics(const std::string& metric, const std::vector<int>& p,
                                              const std::vector<int>& l, const std::vector<double>& scores,
                                              const std::vector<double>& targets) {
  if (metric == "pearson" || metric == "spearman") {
    return {{"pearson", 100 * Pearson(scores, targets)}, {"spearman", 100 * Spearman(scores, targets)}};
  }
  std::map<std::string, double> m = {{"accuracy", 100 * Accuracy(p, l)}};
  if (metric == "f1") m["f1"] = 100 * F1(p, l);
  if (metric == "mcc") m["mcc"] = 100 * MatthewsCorrelation(p, l);
  return m;
}

bool Span::operator<(const Span& o) const {
  return std::tie(begin, end, type) < std::tie(o.begin, o.end, o.type);
}
bool Span::operator==(const Span& o) const { return begin == o.begin && end == o.end && type == o.type; }

std::vector<Span> BioSpans(const std::vector<std::string>& tags) {
  std::vector<Span> out;
  int start = -1;
  std::string type;
  auto close = [&](int end) {
    if (start >= 0) out.push_back({start, end, type});
    start = -1;
  };
  for (int i = 0; i < static_cast<int>(tags.size()); ++i) {
    const std::string& t = tags[i];
    if (t == "O") {
      close(i);
      continue;
    }
    bool begin = t.size() > 2 && t.compare(0, 2, "B-") == 0;
    bool inside = t.size() > 2 && t.compare(0, 2, "I-") == 0;
    std::string y = begin || inside ? t.substr(2) : t;
    if (begin || start < 0 || y != type) {
      close(i);
      start = i;
      type = y;
    }
  }
  close(static_cast<int>(tags.size()));
  return out;
}

std::map<std::string, double> TaggingMetrics(const std::vector<std::vector<std::string>>& predicted,
                                             const std::vector<std::vector<std::string>>& gold, bool spans) {
  int64_t words = 0, right = 0, correct = 0, n_pred = 0, n_gold = 0;
  for (size_t s = 0; s < gold.size() && s < predicted.size(); ++s) {
    for (size_t w = 0; w < gold[s].size() && w < predicted[s].size(); ++w) right += predicted[s][w] == gold[s][w];
    words += static_cast<int64_t>(gold[s].size());
    if (!spans) continue;
    std::vector<Span> p = BioSpans(predicted[s]), g = BioSpans(gold[s]);
    std::sort(p.begin(), p.end());
    std::sort(g.begin(), g.end());
    std::vector<Span> both;
    std::set_intersection(p.begin(), p.end(), g.begin(), g.end(), std::back_inserter(both));
    correct += static_cast<int64_t>(both.size());
    n_pred += static_cast<int64_t>(p.size());
    n_gold += static_cast<int64_t>(g.size());
  }
  std::map<std::string, double> m = {{"accuracy", words > 0 ? 100.0 * right / words : 0.0}};
  if (spans) {
    double precision = n_pred > 0 ? static_cast<double>(correct) / n_pred : 0.0;
    double recall = n_gold > 0 ? static_cast<double>(correct) / n_gold : 0.0;
    m["span_precision"] = 100 * precision;
    m["span_recall"] = 100 * recall;
    m["span_f1"] = precision + recall > 0 ? 100 * 2 * precision * recall / (precision + recall) : 0.0;
  }
  return m;
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
