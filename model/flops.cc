#include "model/flops.h"

namespace electra {
namespace {

// Operations per element of the element-wise steps (the paper's counting conventions).
constexpr double kGelu = 8, kLayerNorm = 5, kDropout = 4, kSoftmax = 5;

// 2 operations per multiply-add of an (in x out) product, per position.
double Dense(double in, double out) { return 2 * in * out; }

// One transformer layer, per position, attending over `s` positions.
double LayerFlopsPerPosition(const ElectraConfig& c, double s) {
  const double h = c.hidden_size, i = c.intermediate_size, heads = c.num_attention_heads;
  const double attention = 3 * Dense(h, h) + 3 * h         // query, key, value and their biases
                           + Dense(h, s)                    // scores against every position
                           + (kSoftmax + kDropout + 1) * s * heads  // softmax, dropout, 1/sqrt(d) scale
                           + Dense(s, h)                    // weighted sum of the values
                           + Dense(h, h) + h + kDropout * h + h + kLayerNorm * h;  // output, residual, norm
  const double feed_forward = Dense(h, i) + i + kGelu * i + Dense(i, h) + h + kDropout * h + h + kLayerNorm * h;
  return attention + feed_forward;
}

}  // namespace

double EncoderForwardFlops(const ElectraConfig& c, int seq_len) {
  const double e = c.embedding_size, h = c.hidden_size, s = seq_len;
  // Word lookup as a product with a one-hot vector; position and type lookups likewise over their
  // (s + 2) rows; the sum, LayerNorm and dropout of the embeddings.
  double per_position = Dense(c.vocab_size, e) + Dense(s + 2, e) + 2 * e + kLayerNorm * e + kDropout * e;
  if (c.embedding_size != c.hidden_size) per_position += Dense(e, h) + h;  // projection to the hidden size
  per_position += c.num_hidden_layers * LayerFlopsPerPosition(c, s);
  return per_position * s;
}

double MlmHeadForwardFlops(const ElectraConfig& c, int seq_len, double output_fraction) {
  const double e = c.embedding_size, h = c.hidden_size, v = c.vocab_size;
  const double per_position = Dense(h, e) + e + kGelu * e + kLayerNorm * e  // dense, GELU, LayerNorm
                              + Dense(e, v) + kSoftmax * v + 2 * v;        // tied output, softmax, target
  return output_fraction * per_position * seq_len;
}

double DiscriminatorHeadForwardFlops(const ElectraConfig& c, int seq_len) {
  const double h = c.hidden_size;
  return (Dense(h, h) + h + kGelu * h + Dense(h, 1)) * seq_len;
}

double ElectraTrainFlopsPerStep(const ElectraConfig& generator, const ElectraConfig& discriminator, int batch,
                                int seq_len, double output_fraction) {
  const double generator_forward =
      EncoderForwardFlops(generator, seq_len) + MlmHeadForwardFlops(generator, seq_len, output_fraction);
  const double discriminator_forward =
      EncoderForwardFlops(discriminator, seq_len) + DiscriminatorHeadForwardFlops(discriminator, seq_len);
  return 2.0 * batch * (generator_forward + discriminator_forward);
}

double MlmTrainFlopsPerStep(const ElectraConfig& model, int batch, int seq_len, double output_fraction) {
  return 2.0 * batch * (EncoderForwardFlops(model, seq_len) + MlmHeadForwardFlops(model, seq_len, output_fraction));
}

}  // namespace electra
