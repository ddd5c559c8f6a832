// ELECTRA model configuration: HF transformers' ElectraConfig fields (config.json), the size
// presets and the generator derived from a discriminator.
#ifndef ELECTRA_MODEL_CONFIG_H_
#define ELECTRA_MODEL_CONFIG_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace electra {

struct ElectraConfig {
  int vocab_size = 30522;
  int embedding_size = 128;
  int hidden_size = 256;
  int num_hidden_layers = 12;
  int num_attention_heads = 4;
  int intermediate_size = 1024;
  std::string hidden_act = "gelu";  // exact (erf) GELU
  double hidden_dropout_prob = 0.1;
  double attention_probs_dropout_prob = 0.1;
  int max_position_embeddings = 512;
  int type_vocab_size = 2;
  double initializer_range = 0.02;
  double layer_norm_eps = 1e-12;
  int pad_token_id = 0;
  std::vector<std::string> architectures;  // "ElectraForPreTraining" / "ElectraForMaskedLM"

  bool operator==(const ElectraConfig& o) const;
  // Checks sizes make sense (positive, heads divide hidden, ...). `where` names the source.
  absl::Status Validate(const std::string& where) const;
};

// Official discriminator shapes: tiny (tests and the CPU demo), small, base, large.
absl::StatusOr<ElectraConfig> DiscriminatorPreset(const std::string& size, int vocab_size);

// The official generator for a discriminator: same layers and embeddings, hidden size scaled by
// `fraction` (1/4 small and large, 1/3 base), heads = max(1, hidden / 64), FFN = 4 * hidden.
ElectraConfig GeneratorConfig(const ElectraConfig& discriminator, double fraction);
double DefaultGeneratorFraction(const std::string& size);

// config.json as HF writes it (model_type "electra").
std::string ConfigToJson(const ElectraConfig& config);
absl::StatusOr<ElectraConfig> ConfigFromJson(const std::string& json, const std::string& where);
absl::StatusOr<ElectraConfig> ReadConfig(const std::string& path);

}  // namespace electra

#endif  // ELECTRA_MODEL_CONFIG_H_
