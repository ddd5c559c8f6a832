// ELECTRA in the LibTorch C++ frontend. Submodules are registered under HF transformers' names,
// so named_parameters() keys are the checkpoint keys (electra.embeddings.word_embeddings.weight,
// ..., discriminator_predictions.dense_prediction.bias, generator_lm_head.bias).
//
// Shapes: B batch, T sequence, E embedding size, H hidden size, A heads, D = H / A,
// F feed-forward size, V vocabulary, P masked positions per example.
#ifndef ELECTRA_MODEL_ELECTRA_H_
#define ELECTRA_MODEL_ELECTRA_H_

#include <torch/torch.h>

#include "model/config.h"

namespace electra {

// word, position and token-type embeddings, LayerNorm, dropout. Shared by the generator and the
// discriminator in pretraining (one module registered in both).
struct ElectraEmbeddingsImpl : torch::nn::Module {
  explicit ElectraEmbeddingsImpl(const ElectraConfig& c);
  // input_ids, token_type_ids: (B, T) int64 -> (B, T, E)
  torch::Tensor forward(const torch::Tensor& input_ids, const torch::Tensor& token_type_ids);

  torch::nn::Embedding word_embeddings{nullptr};        // (V, E)
  torch::nn::Embedding position_embeddings{nullptr};    // (512, E)
  torch::nn::Embedding token_type_embeddings{nullptr};  // (2, E)
  torch::nn::LayerNorm LayerNorm{nullptr};              // (E)
  double dropout;
};
TORCH_MODULE(ElectraEmbeddings);

struct ElectraSelfAttentionImpl : torch::nn::Module {
  explicit ElectraSelfAttentionImpl(const ElectraConfig& c);
  torch::nn::Linear query{nullptr}, key{nullptr}, value{nullptr};  // (H, H)
  int heads;
  double dropout;
};
TORCH_MODULE(ElectraSelfAttention);

// dense (H, H) -> dropout -> LayerNorm(x + residual); also the FFN output block.
struct ElectraOutputImpl : torch::nn::Module {
  ElectraOutputImpl(int in, int out, double eps, double dropout);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& residual);
  torch::nn::Linear dense{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};
  double dropout;
};
TORCH_MODULE(ElectraOutput);

struct ElectraAttentionImpl : torch::nn::Module {
  explicit ElectraAttentionImpl(const ElectraConfig& c);
  // x: (B, T, H), bias: (B, 1, 1, T) additive mask -> (B, T, H)
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& bias);
  ElectraSelfAttention self{nullptr};
  ElectraOutput output{nullptr};
};
TORCH_MODULE(ElectraAttention);

struct ElectraIntermediateImpl : torch::nn::Module {
  explicit ElectraIntermediateImpl(const ElectraConfig& c);
  torch::nn::Linear dense{nullptr};  // (F, H)
};
TORCH_MODULE(ElectraIntermediate);

struct ElectraLayerImpl : torch::nn::Module {
  explicit ElectraLayerImpl(const ElectraConfig& c);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& bias);
  ElectraAttention attention{nullptr};
  ElectraIntermediate intermediate{nullptr};
  ElectraOutput output{nullptr};
};
TORCH_MODULE(ElectraLayer);

struct ElectraEncoderImpl : torch::nn::Module {
  explicit ElectraEncoderImpl(const ElectraConfig& c);
  torch::Tensor forward(torch::Tensor x, const torch::Tensor& bias);
  torch::nn::ModuleList layer{nullptr};
};
TORCH_MODULE(ElectraEncoder);

// HF's ElectraModel: embeddings -> embeddings_project (when E != H) -> encoder.
struct ElectraModelImpl : torch::nn::Module {
  // `shared` reuses an existing embeddings module (the generator shares the discriminator's).
  ElectraModelImpl(const ElectraConfig& c, ElectraEmbeddings shared = nullptr);
  // input_ids, attention_mask, token_type_ids: (B, T) -> (B, T, H)
  torch::Tensor forward(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                        const torch::Tensor& token_type_ids);
  ElectraEmbeddings embeddings{nullptr};
  torch::nn::Linear embeddings_project{nullptr};  // (H, E), absent when E == H
  ElectraEncoder encoder{nullptr};
  ElectraConfig config;
};
TORCH_MODULE(ElectraModel);

struct DiscriminatorPredictionsImpl : torch::nn::Module {
  explicit DiscriminatorPredictionsImpl(const ElectraConfig& c);
  torch::Tensor forward(const torch::Tensor& h);  // (B, T, H) -> (B, T) logits
  torch::nn::Linear dense{nullptr};             // (H, H)
  torch::nn::Linear dense_prediction{nullptr};  // (1, H)
};
TORCH_MODULE(DiscriminatorPredictions);

// HF's ElectraForPreTraining.
struct DiscriminatorImpl : torch::nn::Module {
  explicit DiscriminatorImpl(const ElectraConfig& c, ElectraEmbeddings shared = nullptr);
  // -> (B, T) replaced-token logits
  torch::Tensor forward(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                        const torch::Tensor& token_type_ids);
  ElectraModel electra{nullptr};
  DiscriminatorPredictions discriminator_predictions{nullptr};
};
TORCH_MODULE(Discriminator);

struct GeneratorPredictionsImpl : torch::nn::Module {
  explicit GeneratorPredictionsImpl(const ElectraConfig& c);
  torch::Tensor forward(const torch::Tensor& h);  // (..., H) -> (..., E)
  torch::nn::Linear dense{nullptr};               // (E, H)
  torch::nn::LayerNorm LayerNorm{nullptr};        // (E)
};
TORCH_MODULE(GeneratorPredictions);

// The output bias of the tied LM head (its weight is the word-embedding matrix).
struct LmHeadImpl : torch::nn::Module {
  explicit LmHeadImpl(int vocab_size);
  torch::Tensor bias;  // (V)
};
TORCH_MODULE(LmHead);

// HF's ElectraForMaskedLM.
struct GeneratorImpl : torch::nn::Module {
  GeneratorImpl(const ElectraConfig& c, ElectraEmbeddings shared = nullptr);
  // Hidden states (B, T, H).
  torch::Tensor Hidden(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                       const torch::Tensor& token_type_ids);
  // Vocabulary logits of selected hidden states: (..., H) -> (..., V). Pretraining calls it on
  // the masked positions only, never on every position.
  torch::Tensor Logits(const torch::Tensor& hidden);
  // Logits at every position (B, T, V), as HF's ElectraForMaskedLM returns.
  torch::Tensor forward(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                        const torch::Tensor& token_type_ids);
  ElectraModel electra{nullptr};
  GeneratorPredictions generator_predictions{nullptr};
  LmHead generator_lm_head{nullptr};
};
TORCH_MODULE(Generator);

// The GLUE head: dropout -> linear on the [CLS] vector (official ELECTRA), Xavier-uniform
// weight, zero bias; or the same head on every token (tagging).
struct ClassifierImpl : torch::nn::Module {
  ClassifierImpl(const ElectraConfig& c, int num_labels, double dropout);
  torch::Tensor forward(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                        const torch::Tensor& token_type_ids);  // -> (B, num_labels)
  // The tagging head (HF's ElectraForTokenClassification, the same parameters): dropout -> linear
  // on every position -> (B, T, num_labels).
  torch::Tensor TokenLogits(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                            const torch::Tensor& token_type_ids);
  ElectraModel electra{nullptr};
  torch::nn::Linear classifier{nullptr};  // (num_labels, H)
  double dropout;
};
TORCH_MODULE(Classifier);

enum class InitStyle { kTruncatedNormal, kNormal };

// Official initialization: weights ~ truncated normal(0, initializer_range) (cut at 2 std) or
// plain normal as HF does; biases 0; LayerNorm 1 / 0. Deterministic given torch's seed.
void InitializeWeights(torch::nn::Module& module, double stddev, InitStyle style);

// The official code builds embeddings_project (each tower) and
// discriminator_predictions/dense_prediction with tf.layers.dense's default kernel initializer,
// Glorot-uniform, instead of truncated normal(initializer_range): redraws those weights so
// (limit sqrt(6 / (fan_in + fan_out)); e.g. 0.30 for dense_prediction at H = 64).
void InitializeGlorotLayers(torch::nn::Module& module);

// Number of distinct parameter elements (shared tensors counted once).
int64_t CountParameters(const torch::nn::Module& module);

}  // namespace electra

#endif  // ELECTRA_MODEL_ELECTRA_H_
