#include "model/electra.h"

#include <unordered_set>

#include "model/fast_dropout.h"
#include "model/torch_compat.h"

namespace electra {
namespace {

torch::nn::LayerNorm MakeLayerNorm(int size, double eps) {
  return torch::nn::LayerNorm(torch::nn::LayerNormOptions({size}).eps(eps));
}

torch::Tensor Dropout(const torch::Tensor& x, double p, bool training) { return FastDropout(x, p, training); }

}  // namespace

ElectraEmbeddingsImpl::ElectraEmbeddingsImpl(const ElectraConfig& c) : dropout(c.hidden_dropout_prob) {
  word_embeddings = register_module("word_embeddings", torch::nn::Embedding(c.vocab_size, c.embedding_size));
  position_embeddings =
      register_module("position_embeddings", torch::nn::Embedding(c.max_position_embeddings, c.embedding_size));
  token_type_embeddings =
      register_module("token_type_embeddings", torch::nn::Embedding(c.type_vocab_size, c.embedding_size));
  LayerNorm = register_module("LayerNorm", MakeLayerNorm(c.embedding_size, c.layer_norm_eps));
}

torch::Tensor ElectraEmbeddingsImpl::forward(const torch::Tensor& input_ids,
                                             const torch::Tensor& token_type_ids) {
  const int64_t T = input_ids.size(1);
  auto positions = torch::arange(T, input_ids.options());                       // (T)
  auto x = word_embeddings(input_ids) + position_embeddings(positions).unsqueeze(0) +
           token_type_embeddings(token_type_ids);                               // (B, T, E)
  return Dropout(LayerNorm(x), dropout, is_training());
}

ElectraSelfAttentionImpl::ElectraSelfAttentionImpl(const ElectraConfig& c)
    : heads(c.num_attention_heads), dropout(c.attention_probs_dropout_prob) {
  query = register_module("query", torch::nn::Linear(c.hidden_size, c.hidden_size));
  key = register_module("key", torch::nn::Linear(c.hidden_size, c.hidden_size));
  value = register_module("value", torch::nn::Linear(c.hidden_size, c.hidden_size));
}

ElectraOutputImpl::ElectraOutputImpl(int in, int out, double eps, double p) : dropout(p) {
  dense = register_module("dense", torch::nn::Linear(in, out));
  LayerNorm = register_module("LayerNorm", MakeLayerNorm(out, eps));
}

torch::Tensor ElectraOutputImpl::forward(const torch::Tensor& x, const torch::Tensor& residual) {
  return LayerNorm(ToFloat(Dropout(dense(x), dropout, is_training()) + residual));
}

ElectraAttentionImpl::ElectraAttentionImpl(const ElectraConfig& c) {
  self = register_module("self", ElectraSelfAttention(c));
  output = register_module(
      "output", ElectraOutput(c.hidden_size, c.hidden_size, c.layer_norm_eps, c.hidden_dropout_prob));
}

torch::Tensor ElectraAttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& keep) {
  const int64_t B = x.size(0), T = x.size(1), H = x.size(2), A = self->heads, D = H / A;
  auto split = [&](const torch::Tensor& t) { return t.view({B, T, A, D}).transpose(1, 2); };  // (B, A, T, D)
  auto q = split(self->query(x)), k = split(self->key(x)), v = split(self->value(x));
  auto context = Attention(q, k, v, keep, self->dropout, is_training());  // (B, A, T, D)
  context = context.transpose(1, 2).reshape({B, T, H});                  // (B, T, H)
  return output(context, x);
}

ElectraIntermediateImpl::ElectraIntermediateImpl(const ElectraConfig& c) {
  dense = register_module("dense", torch::nn::Linear(c.hidden_size, c.intermediate_size));
}

ElectraLayerImpl::ElectraLayerImpl(const ElectraConfig& c) {
  attention = register_module("attention", ElectraAttention(c));
  intermediate = register_module("intermediate", ElectraIntermediate(c));
  output = register_module("output", ElectraOutput(c.intermediate_size, c.hidden_size,
                                                   c.layer_norm_eps, c.hidden_dropout_prob));
}

torch::Tensor ElectraLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& keep) {
  auto a = attention(x, keep);                            // (B, T, H)
  auto f = torch::gelu(intermediate->dense(a));          // (B, T, F), exact erf GELU
  return output(f, a);                                   // (B, T, H)
}

ElectraEncoderImpl::ElectraEncoderImpl(const ElectraConfig& c) {
  layer = register_module("layer", torch::nn::ModuleList());
  for (int i = 0; i < c.num_hidden_layers; ++i) layer->push_back(ElectraLayer(c));
}

torch::Tensor ElectraEncoderImpl::forward(torch::Tensor x, const torch::Tensor& keep) {
  for (const auto& l : *layer) x = l->as<ElectraLayer>()->forward(x, keep);
  return x;
}

ElectraModelImpl::ElectraModelImpl(const ElectraConfig& c, ElectraEmbeddings shared) : config(c) {
  embeddings = register_module("embeddings", shared ? shared : ElectraEmbeddings(c));
  if (c.embedding_size != c.hidden_size) {
    embeddings_project = register_module("embeddings_project", torch::nn::Linear(c.embedding_size, c.hidden_size));
  }
  encoder = register_module("encoder", ElectraEncoder(c));
}

torch::Tensor ElectraModelImpl::forward(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                                        const torch::Tensor& token_type_ids) {
  auto x = embeddings(input_ids, token_type_ids);               // (B, T, E)
  if (embeddings_project) x = embeddings_project(x);            // (B, T, H)
  auto keep = attention_mask.to(torch::kBool).unsqueeze(1).unsqueeze(2);  // (B, 1, 1, T)
  return encoder(x, keep);                                      // (B, T, H)
}

DiscriminatorPredictionsImpl::DiscriminatorPredictionsImpl(const ElectraConfig& c) {
  dense = register_module("dense", torch::nn::Linear(c.hidden_size, c.hidden_size));
  dense_prediction = register_module("dense_prediction", torch::nn::Linear(c.hidden_size, 1));
}

torch::Tensor DiscriminatorPredictionsImpl::forward(const torch::Tensor& h) {
  return dense_prediction(torch::gelu(dense(h))).squeeze(-1);  // (B, T)
}

DiscriminatorImpl::DiscriminatorImpl(const ElectraConfig& c, ElectraEmbeddings shared) {
  electra = register_module("electra", ElectraModel(c, shared));
  discriminator_predictions = register_module("discriminator_predictions", DiscriminatorPredictions(c));
}

torch::Tensor DiscriminatorImpl::forward(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                                         const torch::Tensor& token_type_ids) {
  return discriminator_predictions(electra(input_ids, attention_mask, token_type_ids));
}

GeneratorPredictionsImpl::GeneratorPredictionsImpl(const ElectraConfig& c) {
  dense = register_module("dense", torch::nn::Linear(c.hidden_size, c.embedding_size));
  LayerNorm = register_module("LayerNorm", MakeLayerNorm(c.embedding_size, c.layer_norm_eps));
}

torch::Tensor GeneratorPredictionsImpl::forward(const torch::Tensor& h) {
  return LayerNorm(ToFloat(torch::gelu(dense(h))));
}

LmHeadImpl::LmHeadImpl(int vocab_size) { bias = register_parameter("bias", torch::zeros({vocab_size})); }

GeneratorImpl::GeneratorImpl(const ElectraConfig& c, ElectraEmbeddings shared) {
  electra = register_module("electra", ElectraModel(c, shared));
  generator_predictions = register_module("generator_predictions", GeneratorPredictions(c));
  generator_lm_head = register_module("generator_lm_head", LmHead(c.vocab_size));
}

torch::Tensor GeneratorImpl::Hidden(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                                    const torch::Tensor& token_type_ids) {
  return electra(input_ids, attention_mask, token_type_ids);
}

torch::Tensor GeneratorImpl::Logits(const torch::Tensor& hidden) {
  auto e = generator_predictions(hidden);                               // (..., E)
  const auto& word = electra->embeddings->word_embeddings->weight;      // (V, E), tied
  return torch::nn::functional::linear(e, word, generator_lm_head->bias);  // (..., V)
}

torch::Tensor GeneratorImpl::forward(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                                     const torch::Tensor& token_type_ids) {
  return Logits(Hidden(input_ids, attention_mask, token_type_ids));
}

ClassifierImpl::ClassifierImpl(const ElectraConfig& c, int num_labels, double p) : dropout(p) {
  electra = register_module("electra", ElectraModel(c));
  classifier = register_module("classifier", torch::nn::Linear(c.hidden_size, num_labels));
  torch::NoGradGuard no_grad;
  torch::nn::init::xavier_uniform_(classifier->weight);
  classifier->bias.zero_();
}

torch::Tensor ClassifierImpl::forward(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                                      const torch::Tensor& token_type_ids) {
  auto h = electra(input_ids, attention_mask, token_type_ids);  // (B, T, H)
  auto cls = h.select(1, 0);                                    // (B, H)
  return classifier(Dropout(cls, dropout, is_training()));      // (B, num_labels)
}

torch::Tensor ClassifierImpl::TokenLogits(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                                          const torch::Tensor& token_type_ids) {
  auto h = electra(input_ids, attention_mask, token_type_ids);  // (B, T, H)
  return classifier(Dropout(h, dropout, is_training()));        // (B, T, num_labels)
}

void InitializeWeights(torch::nn::Module& module, double stddev, InitStyle style) {
  torch::NoGradGuard no_grad;
  std::unordered_set<void*> done;
  for (auto& item : module.named_parameters(/*recurse=*/true)) {
    torch::Tensor& p = item.value();
    if (!done.insert(p.unsafeGetTensorImpl()).second) continue;
    const std::string& name = item.key();
    bool is_layer_norm = name.find("LayerNorm") != std::string::npos;
    bool is_bias = name.size() >= 4 && name.compare(name.size() - 4, 4, "bias") == 0;
    if (is_bias) {
      p.zero_();
    } else if (is_layer_norm) {
      p.fill_(1.0);
    } else if (name.find(".classifier.") != std::string::npos || name.rfind("classifier.", 0) == 0) {
      continue;  // the GLUE head keeps its Xavier initialization
    } else {
      p.normal_(0.0, stddev);
      if (style == InitStyle::kTruncatedNormal) {
        // Redraw values beyond 2 standard deviations (TF's truncated_normal).
        for (int round = 0; round < 100; ++round) {
          auto outside = p.abs() > 2 * stddev;
          if (!outside.any().item<bool>()) break;
          p.masked_scatter_(outside, torch::empty_like(p).normal_(0.0, stddev).masked_select(outside));
        }
      }
    }
  }
}

void InitializeGlorotLayers(torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  for (auto& item : module.named_parameters(/*recurse=*/true)) {
    const std::string& name = item.key();
    auto ends_with = [&](const std::string& s) {
      return name.size() >= s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0;
    };
    if (ends_with("embeddings_project.weight") || ends_with("dense_prediction.weight")) {
      torch::nn::init::xavier_uniform_(item.value());
    }
  }
}

int64_t CountParameters(const torch::nn::Module& module) {
  std::unordered_set<void*> seen;
  int64_t n = 0;
  for (const auto& p : module.parameters(true)) {
    if (seen.insert(p.unsafeGetTensorImpl()).second) n += p.numel();
  }
  return n;
}

}  // namespace electra
