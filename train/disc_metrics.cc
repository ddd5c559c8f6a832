#include "train/disc_metrics.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace electra {

torch::Tensor LogitHistogram(const torch::Tensor& logits, const torch::Tensor& weights) {
  torch::NoGradGuard no_grad;
  const double scale = kAucBins / (2 * kAucLogitRange);
  auto bins = ((logits.detach().to(torch::kFloat32) + kAucLogitRange) * scale)
                  .floor()
                  .clamp(0, kAucBins - 1)
                  .to(torch::kInt64)
                  .reshape({-1});  // (B*T)
  auto hist = torch::zeros({kAucBins}, weights.options().dtype(torch::kFloat32));
  return hist.index_add_(0, bins, weights.to(torch::kFloat32).reshape({-1}));
}

double HistogramAuc(const std::vector<double>& positive, const std::vector<double>& negative) {
  double p_total = std::accumulate(positive.begin(), positive.end(), 0.0);
  double n_total = std::accumulate(negative.begin(), negative.end(), 0.0);
  if (p_total <= 0 || n_total <= 0) return 0.5;
  double below = 0, sum = 0;  // negatives in lower bins
  for (size_t i = 0; i < positive.size() && i < negative.size(); ++i) {
    sum += positive[i] * (below + 0.5 * negative[i]);
    below += negative[i];
  }
  return sum / (p_total * n_total);
}

double ExactAuc(const std::vector<float>& scores, const std::vector<uint8_t>& labels) {
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] < scores[b]; });
  double positives = 0, negatives = 0, rank_sum = 0;
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j < order.size() && scores[order[j]] == scores[order[i]]) ++j;
    double mid_rank = 0.5 * (static_cast<double>(i) + static_cast<double>(j - 1)) + 1;  // 1-based
    for (size_t k = i; k < j; ++k) {
      if (labels[order[k]]) {
        positives += 1;
        rank_sum += mid_rank;
      } else {
        negatives += 1;
      }
    }
    i = j;
  }
  if (positives == 0 || negatives == 0) return 0.5;
  return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives);
}

double TfMetricsAuc(const std::vector<float>& probabilities, const std::vector<uint8_t>& labels,
                    int num_thresholds) {
  // tf.metrics.auc: thresholds (i + 1) / (n - 1) for i < n - 2, plus -eps and 1 + eps;
  // a prediction counts as positive when it is strictly above the threshold.
  constexpr double kEpsilon = 1e-7;
  std::vector<double> thresholds;
  thresholds.push_back(-kEpsilon);
  for (int i = 0; i < num_thresholds - 2; ++i) thresholds.push_back((i + 1) * 1.0 / (num_thresholds - 1));
  thresholds.push_back(1.0 + kEpsilon);
  // Counts per threshold via a sort: tp[t] = positives with score > thresholds[t].
  std::vector<double> tp(thresholds.size(), 0), fp(thresholds.size(), 0);
  double positives = 0, negatives = 0;
  for (size_t i = 0; i < probabilities.size(); ++i) {
    double s = probabilities[i];
    // Thresholds strictly below s: all t with thresholds[t] < s (thresholds ascend).
    size_t above = std::lower_bound(thresholds.begin(), thresholds.end(), s) - thresholds.begin();
    (labels[i] ? positives : negatives) += 1;
    if (above > 0) (labels[i] ? tp : fp)[above - 1] += 1;
  }
  // Suffix sums: an item counted at index a is above thresholds 0..a.
  for (int t = static_cast<int>(thresholds.size()) - 2; t >= 0; --t) {
    tp[t] += tp[t + 1];
    fp[t] += fp[t + 1];
  }
  double auc = 0;
  for (size_t t = 0; t + 1 < thresholds.size(); ++t) {
    // tf: recall = (tp + eps) / (tp + fn + eps), fp_rate = fp / (fp + tn + eps).
    double r0 = (tp[t] + kEpsilon) / (positives + kEpsilon), r1 = (tp[t + 1] + kEpsilon) / (positives + kEpsilon);
    double f0 = fp[t] / (negatives + kEpsilon), f1 = fp[t + 1] / (negatives + kEpsilon);
    auc += (f0 - f1) * (r0 + r1) / 2;
  }
  return auc;
}

double BinaryEntropy(double p) {
  if (p <= 0 || p >= 1) return 0;
  return -p * std::log(p) - (1 - p) * std::log1p(-p);
}

}  // namespace electra
