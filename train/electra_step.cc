#include "train/electra_step.h"

#include "train/disc_metrics.h"

namespace electra {

DeviceBatch ToDevice(const MaskedBatch& b, torch::Device device, bool non_blocking) {
  auto move = [&](const torch::Tensor& t) { return t.to(device, non_blocking); };
  return {move(b.input_ids),        move(b.masked_ids),     move(b.attention_mask), move(b.token_type_ids),
          move(b.masked_positions), move(b.masked_weights), move(b.masked_labels)};
}

torch::Tensor SampleTokens(const torch::Tensor& logits, const torch::Tensor& uniform, double temperature) {
  torch::NoGradGuard no_grad;
  // g = -log(-log(U + 1e-9) + 1e-9), computed in place in one (B, P, V) buffer: the same
  // operations in the same order as the formula, without four temporaries of that size.
  auto noisy = uniform.add(1e-9);
  noisy.log_().neg_().add_(1e-9).log_().neg_();
  torch::Tensor scaled = logits.to(torch::kFloat32);
  noisy.add_(temperature == 1.0 ? scaled : scaled.div(temperature));  // x / 1 == x: skip the pass
  return noisy.argmax(-1);  // (B, P)
}

torch::Tensor ReplaceTokens(const torch::Tensor& input_ids, const torch::Tensor& positions,
                            const torch::Tensor& weights, const torch::Tensor& sampled) {
  torch::NoGradGuard no_grad;
  auto used = (weights > 0).to(torch::kInt64);                                        // (B, P)
  auto sum = torch::zeros_like(input_ids).scatter_add_(1, positions, sampled * used);  // (B, T)
  auto count = torch::zeros_like(input_ids).scatter_add_(1, positions, used);          // (B, T)
  auto mean = sum.div(count.clamp_min(1), "floor");
  return torch::where(count > 0, mean, input_ids);
}

DeviceBatch SliceBatch(const DeviceBatch& b, int64_t begin, int64_t n) {
  auto cut = [&](const torch::Tensor& t) { return t.narrow(0, begin, n); };
  return {cut(b.input_ids),        cut(b.masked_ids),     cut(b.attention_mask), cut(b.token_type_ids),
          cut(b.masked_positions), cut(b.masked_weights), cut(b.masked_labels)};
}

namespace {

// The generator's masked-LM loss and accuracy at the masked slots; returns the (B, P, V) logits.
torch::Tensor MaskedLm(Generator& generator, const DeviceBatch& b, StepStats* s) {
  const int64_t B = b.input_ids.size(0), P = b.masked_positions.size(1);
  // Hidden states, then the vocabulary projection at the masked positions only.
  auto hidden = generator->Hidden(b.masked_ids, b.attention_mask, b.token_type_ids);  // (B, T, Hg)
  auto index = b.masked_positions.unsqueeze(-1).expand({B, P, hidden.size(2)});      // (B, P, Hg)
  auto logits = generator->Logits(hidden.gather(1, index)).to(torch::kFloat32);      // (B, P, V)
  const int64_t V = logits.size(2);
  auto per_slot = torch::nn::functional::cross_entropy(
      logits.view({B * P, V}), b.masked_labels.view({B * P}),
      torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone));      // (B*P)
  s->gen_sum = (per_slot * b.masked_weights.view({B * P})).sum();
  torch::NoGradGuard no_grad;
  s->gen_correct = ((logits.argmax(-1) == b.masked_labels).to(torch::kFloat32) * b.masked_weights).sum();
  s->gen_count = b.masked_weights.sum();
  return logits;
}

}  // namespace

StepStats MlmForward(Generator& model, const DeviceBatch& b) {
  StepStats s;
  MaskedLm(model, b, &s);
  torch::NoGradGuard no_grad;
  torch::Tensor zero = torch::zeros({}, b.masked_weights.options());
  s.disc_sum = zero.clone();
  s.disc_correct = s.disc_count = s.true_pos = s.false_pos = s.false_neg = s.replaced = zero;
  s.auc_positive = s.auc_negative = torch::zeros({kAucBins}, b.masked_weights.options());
  return s;
}

StepStats ElectraForward(Generator& generator, Discriminator& discriminator, const DeviceBatch& b,
                         const torch::Tensor& uniform, const ObjectiveOptions& o) {
  StepStats s;
  torch::Tensor logits = MaskedLm(generator, b, &s);  // (B, P, V)
  torch::Tensor sampled = SampleTokens(logits.detach(), uniform, o.temperature);  // (B, P)

  torch::Tensor fake, labels;  // (B, T)
  {
    torch::NoGradGuard no_grad;
    // Every used slot's position gets its sample (unused slots point at [CLS] with weight 0).
    fake = ReplaceTokens(b.input_ids, b.masked_positions, b.masked_weights, sampled);
    labels = (fake != b.input_ids).to(torch::kFloat32);                            // (B, T)
    if (o.testing_shuffle_labels) {
      labels = labels.view({-1}).index_select(0, torch::randperm(labels.numel(), b.input_ids.options()))
                   .view(labels.sizes());
    }
  }

  auto disc_logits = discriminator(fake, b.attention_mask, b.token_type_ids).to(torch::kFloat32);  // (B, T)
  auto real = b.attention_mask.to(torch::kFloat32);
  auto bce = torch::binary_cross_entropy_with_logits(disc_logits, labels, {}, {}, at::Reduction::None);
  s.disc_sum = (bce * real).sum();

  torch::NoGradGuard no_grad;
  auto predicted = (disc_logits > 0).to(torch::kFloat32);
  s.disc_correct = ((predicted == labels).to(torch::kFloat32) * real).sum();
  s.disc_count = real.sum();
  s.true_pos = (predicted * labels * real).sum();
  s.false_pos = (predicted * (1 - labels) * real).sum();
  s.false_neg = ((1 - predicted) * labels * real).sum();
  s.replaced = (labels * real).sum();
  s.auc_positive = LogitHistogram(disc_logits, labels * real);
  s.auc_negative = LogitHistogram(disc_logits, (1 - labels) * real);
  return s;
}

}  // namespace electra
