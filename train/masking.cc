#include "train/masking.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace electra {
namespace {

constexpr uint64_t kMaskingStream = 0x4d41534b;  // "MASK"

double Uniform(std::mt19937_64& engine) { return static_cast<double>(engine() >> 11) * 0x1.0p-53; }

std::vector<int> Candidates(const PretrainingExample& e, const MaskingOptions& o, int* real) {
  std::vector<int> c;
  *real = 0;
  for (size_t i = 0; i < e.input_ids.size(); ++i) {
    if (e.input_mask[i] == 0) continue;
    ++*real;
    int32_t id = e.input_ids[i];
    if (id == o.cls_id || id == o.sep_id || id == o.mask_id || id == o.pad_id) continue;
    c.push_back(static_cast<int>(i));
  }
  return c;
}

// Chosen positions, in the order drawn.
std::vector<int> Choose(const PretrainingExample& e, const MaskingOptions& o, std::mt19937_64& engine) {
  int real;
  std::vector<int> candidates = Candidates(e, o, &real);
  std::vector<int> chosen;
  if (o.style == MaskStyle::kBernoulli) {
    for (int c : candidates) {
      if (Uniform(engine) < o.mask_prob) chosen.push_back(c);
    }
    return chosen;
  }
  int k = static_cast<int>(std::nearbyint(real * o.mask_prob));  // round half to even, as tf.round
  k = std::max(1, std::min(o.max_predictions, k));
  if (candidates.empty()) return chosen;
  if (o.with_replacement) {  // tf.random.categorical over uniform candidates
    for (int i = 0; i < k; ++i) chosen.push_back(candidates[engine() % candidates.size()]);
    return chosen;
  }
  k = std::min(k, static_cast<int>(candidates.size()));
  for (int i = 0; i < k; ++i) {  // partial Fisher-Yates: k distinct candidates
    size_t j = i + engine() % (candidates.size() - i);
    std::swap(candidates[i], candidates[j]);
    chosen.push_back(candidates[i]);
  }
  return chosen;
}

}  // namespace

int OfficialMaxPredictions(double mask_prob, int max_seq_length) {
  return static_cast<int>((mask_prob + 0.005) * max_seq_length);
}

void MaskExample(const PretrainingExample& e, uint64_t position, const MaskingOptions& o, int slots,
                 std::vector<int32_t>* masked_ids, std::vector<int64_t>* positions,
                 std::vector<float>* weights, std::vector<int64_t>* labels) {
  std::mt19937_64 engine(MixSeed(o.seed, kMaskingStream, position));
  std::vector<int> chosen = Choose(e, o, engine);
  if (static_cast<int>(chosen.size()) > slots) chosen.resize(slots);
  *masked_ids = e.input_ids;
  positions->assign(slots, 0);
  weights->assign(slots, 0.0f);
  labels->assign(slots, 0);
  for (size_t s = 0; s < chosen.size(); ++s) {
    int p = chosen[s];
    (*positions)[s] = p;
    (*weights)[s] = 1.0f;
    (*labels)[s] = e.input_ids[p];
    if (Uniform(engine) < o.mask_token_prob) (*masked_ids)[p] = o.mask_id;
  }
}

MaskedBatch MaskBatch(const StreamBatch& batch, const MaskingOptions& o) {
  const int64_t B = static_cast<int64_t>(batch.examples.size());
  const int64_t T = B > 0 ? static_cast<int64_t>(batch.examples[0].input_ids.size()) : 0;
  int P = o.max_predictions;
  if (o.style == MaskStyle::kBernoulli) {
    // Enough slots for the example with most masked positions (replaying its draws).
    P = 1;
    for (int64_t b = 0; b < B; ++b) {
      std::mt19937_64 engine(MixSeed(o.seed, kMaskingStream, batch.positions[b]));
      P = std::max<int>(P, static_cast<int>(Choose(batch.examples[b], o, engine).size()));
    }
  }
  MaskedBatch out;
  out.index = batch.index;
  auto i64 = torch::TensorOptions().dtype(torch::kInt64);
  out.input_ids = torch::empty({B, T}, i64);
  out.masked_ids = torch::empty({B, T}, i64);
  out.attention_mask = torch::empty({B, T}, i64);
  out.token_type_ids = torch::empty({B, T}, i64);
  out.masked_positions = torch::empty({B, P}, i64);
  out.masked_weights = torch::empty({B, P}, torch::kFloat32);
  out.masked_labels = torch::empty({B, P}, i64);
  auto ids = out.input_ids.accessor<int64_t, 2>();
  auto mids = out.masked_ids.accessor<int64_t, 2>();
  auto am = out.attention_mask.accessor<int64_t, 2>();
  auto tt = out.token_type_ids.accessor<int64_t, 2>();
  auto mp = out.masked_positions.accessor<int64_t, 2>();
  auto mw = out.masked_weights.accessor<float, 2>();
  auto ml = out.masked_labels.accessor<int64_t, 2>();
  std::vector<int32_t> masked;
  std::vector<int64_t> positions, labels;
  std::vector<float> weights;
  for (int64_t b = 0; b < B; ++b) {
    const PretrainingExample& e = batch.examples[b];
    MaskExample(e, batch.positions[b], o, P, &masked, &positions, &weights, &labels);
    for (int64_t t = 0; t < T; ++t) {
      ids[b][t] = e.input_ids[t];
      mids[b][t] = masked[t];
      am[b][t] = e.input_mask[t];
      tt[b][t] = e.segment_ids[t];
    }
    for (int s = 0; s < P; ++s) {
      mp[b][s] = positions[s];
      mw[b][s] = weights[s];
      ml[b][s] = labels[s];
    }
  }
  return out;
}

}  // namespace electra
