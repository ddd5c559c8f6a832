// Metrics that tell a discriminator that learned from one that only knows the base rate:
// ROC AUC of its replaced-token scores (0.5 for any constant predictor) and the entropy H(p)
// of the replaced fraction p, which is the loss of the best constant predictor, so
// disc_loss / H(p) < 1 only when the discriminator uses the tokens and their context.
//
// During training the AUC comes from device histograms of the logits (fixed bins, no host
// reads inside the step); the scoring tool computes it exactly from every score.
#ifndef ELECTRA_TRAIN_DISC_METRICS_H_
#define ELECTRA_TRAIN_DISC_METRICS_H_

#include <cstdint>
#include <vector>

#include <torch/torch.h>

namespace electra {

// Logit histograms: kAucBins equal bins over [-kAucLogitRange, kAucLogitRange] (values
// outside fall into the end bins). Bin width 1/64 in logit space.
constexpr int kAucBins = 2048;
constexpr double kAucLogitRange = 16.0;

// Adds `weights` (B, T) of `logits` (B, T) into a (kAucBins) float32 histogram.
torch::Tensor LogitHistogram(const torch::Tensor& logits, const torch::Tensor& weights);

// ROC AUC from histograms of positives and negatives over the same ascending bins: the chance
// that a random positive scores above a random negative, ties (same bin) counted as half.
// 0.5 when either class is empty.
double HistogramAuc(const std::vector<double>& positive, const std::vector<double>& negative);

// Exact ROC AUC (Mann-Whitney U with tied scores counted as half).
double ExactAuc(const std::vector<float>& scores, const std::vector<uint8_t>& labels);

// tf.metrics.auc as the official ELECTRA logs disc_auc: `num_thresholds` thresholds on
// probabilities in [0, 1] (200 by default), trapezoidal rule.
double TfMetricsAuc(const std::vector<float>& probabilities, const std::vector<uint8_t>& labels,
                    int num_thresholds = 200);

// H(p) in nats: -p ln p - (1 - p) ln(1 - p); 0 at p = 0 or 1.
double BinaryEntropy(double p);

}  // namespace electra

#endif  // ELECTRA_TRAIN_DISC_METRICS_H_
