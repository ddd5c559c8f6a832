#include "model/config.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "base/file_util.h"
#include "nlohmann/json.hpp"

namespace electra {

bool ElectraConfig::operator==(const ElectraConfig& o) const {
  return vocab_size == o.vocab_size && embedding_size == o.embedding_size &&
         hidden_size == o.hidden_size && num_hidden_layers == o.num_hidden_layers &&
         num_attention_heads == o.num_attention_heads && intermediate_size == o.intermediate_size &&
         hidden_act == o.hidden_act && hidden_dropout_prob == o.hidden_dropout_prob &&
         attention_probs_dropout_prob == o.attention_probs_dropout_prob &&
         max_position_embeddings == o.max_position_embeddings &&
         type_vocab_size == o.type_vocab_size && initializer_range == o.initializer_range &&
         layer_norm_eps == o.layer_norm_eps && pad_token_id == o.pad_token_id;
}

absl::Status ElectraConfig::Validate(const std::string& where) const {
  auto bad = [&](const std::string& what) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": ", what));
  };
  if (vocab_size < 1) return bad("vocab_size must be positive");
  if (embedding_size < 1 || hidden_size < 1 || intermediate_size < 1) return bad("sizes must be positive");
  if (num_hidden_layers < 1) return bad("num_hidden_layers must be positive");
  if (num_attention_heads < 1 || hidden_size % num_attention_heads != 0) {
    return bad(absl::StrCat("hidden_size ", hidden_size, " is not a multiple of num_attention_heads ",
                            num_attention_heads));
  }
  if (max_position_embeddings < 1 || type_vocab_size < 1) return bad("positions and token types must be positive");
  if (hidden_act != "gelu") return bad("hidden_act '" + hidden_act + "' is not supported (only exact \"gelu\")");
  if (hidden_dropout_prob < 0 || hidden_dropout_prob >= 1 || attention_probs_dropout_prob < 0 ||
      attention_probs_dropout_prob >= 1) {
    return bad("dropout probabilities must be in [0, 1)");
  }
  return absl::OkStatus();
}

absl::StatusOr<ElectraConfig> DiscriminatorPreset(const std::string& size, int vocab_size) {
  ElectraConfig c;
  c.vocab_size = vocab_size;
  if (size == "tiny") {
    c.embedding_size = 64;
    c.hidden_size = 64;
    c.num_hidden_layers = 2;
    c.num_attention_heads = 2;
    c.intermediate_size = 256;
  } else if (size == "mini") {
    // Between tiny and small, sized for CPU pretraining that pays off (docs/pretraining_cpu.md).
    c.embedding_size = 128;
    c.hidden_size = 128;
    c.num_hidden_layers = 4;
    c.num_attention_heads = 2;
    c.intermediate_size = 512;
  } else if (size == "small") {
    c.embedding_size = 128;
    c.hidden_size = 256;
    c.num_hidden_layers = 12;
    c.num_attention_heads = 4;
    c.intermediate_size = 1024;
  } else if (size == "base") {
    c.embedding_size = 768;
    c.hidden_size = 768;
    c.num_hidden_layers = 12;
    c.num_attention_heads = 12;
    c.intermediate_size = 3072;
  } else if (size == "large") {
    c.embedding_size = 1024;
    c.hidden_size = 1024;
    c.num_hidden_layers = 24;
    c.num_attention_heads = 16;
    c.intermediate_size = 4096;
  } else {
    return absl::InvalidArgumentError("unknown model size '" + size + "' (tiny, mini, small, base, large)");
  }
  c.architectures = {"ElectraForPreTraining"};
  return c;
}

double DefaultGeneratorFraction(const std::string& size) {
  if (size == "base") return 1.0 / 3.0;
  return 0.25;
}

ElectraConfig GeneratorConfig(const ElectraConfig& d, double fraction) {
  ElectraConfig g = d;
  g.hidden_size = std::max(1, static_cast<int>(std::lround(d.hidden_size * fraction)));
  g.num_attention_heads = std::max(1, g.hidden_size / 64);
  g.intermediate_size = 4 * g.hidden_size;
  g.architectures = {"ElectraForMaskedLM"};
  return g;
}

std::string ConfigToJson(const ElectraConfig& c) {
  nlohmann::ordered_json j;
  j["architectures"] = c.architectures.empty() ? std::vector<std::string>{"ElectraForPreTraining"}
                                               : c.architectures;
  j["attention_probs_dropout_prob"] = c.attention_probs_dropout_prob;
  j["embedding_size"] = c.embedding_size;
  j["hidden_act"] = c.hidden_act;
  j["hidden_dropout_prob"] = c.hidden_dropout_prob;
  j["hidden_size"] = c.hidden_size;
  j["initializer_range"] = c.initializer_range;
  j["intermediate_size"] = c.intermediate_size;
  j["layer_norm_eps"] = c.layer_norm_eps;
  j["max_position_embeddings"] = c.max_position_embeddings;
  j["model_type"] = "electra";
  j["num_attention_heads"] = c.num_attention_heads;
  j["num_hidden_layers"] = c.num_hidden_layers;
  j["pad_token_id"] = c.pad_token_id;
  j["position_embedding_type"] = "absolute";
  j["summary_activation"] = "gelu";
  j["summary_last_dropout"] = 0.1;
  j["summary_type"] = "first";
  j["summary_use_proj"] = true;
  j["tie_word_embeddings"] = true;
  j["type_vocab_size"] = c.type_vocab_size;
  j["vocab_size"] = c.vocab_size;
  return j.dump(2) + "\n";
}

absl::StatusOr<ElectraConfig> ConfigFromJson(const std::string& text, const std::string& where) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return absl::InvalidArgumentError(where + ": not a JSON object (expected HF config.json)");
  }
  if (j.contains("model_type") && j["model_type"] != "electra") {
    return absl::InvalidArgumentError(absl::StrCat(where, ": model_type is ", j["model_type"].dump(),
                                                   ", not \"electra\""));
  }
  ElectraConfig c;
  try {
    auto get_int = [&](const char* key, int* out, bool required) -> absl::Status {
      if (!j.contains(key)) {
        return required ? absl::InvalidArgumentError(absl::StrCat(where, ": missing \"", key, "\""))
                        : absl::OkStatus();
      }
      if (!j[key].is_number_integer()) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": \"", key, "\" must be an integer"));
      }
      *out = j[key].get<int>();
      return absl::OkStatus();
    };
    auto get_double = [&](const char* key, double* out) -> absl::Status {
      if (!j.contains(key)) return absl::OkStatus();
      if (!j[key].is_number()) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": \"", key, "\" must be a number"));
      }
      *out = j[key].get<double>();
      return absl::OkStatus();
    };
    for (auto [key, field, required] :
         std::vector<std::tuple<const char*, int*, bool>>{{"vocab_size", &c.vocab_size, true},
                                                          {"hidden_size", &c.hidden_size, true},
                                                          {"num_hidden_layers", &c.num_hidden_layers, true},
                                                          {"num_attention_heads", &c.num_attention_heads, true},
                                                          {"intermediate_size", &c.intermediate_size, true},
                                                          {"embedding_size", &c.embedding_size, false},
                                                          {"max_position_embeddings", &c.max_position_embeddings, false},
                                                          {"type_vocab_size", &c.type_vocab_size, false},
                                                          {"pad_token_id", &c.pad_token_id, false}}) {
      absl::Status s = get_int(key, field, required);
      if (!s.ok()) return s;
    }
    if (!j.contains("embedding_size")) c.embedding_size = c.hidden_size;
    for (auto [key, field] : std::vector<std::pair<const char*, double*>>{
             {"hidden_dropout_prob", &c.hidden_dropout_prob},
             {"attention_probs_dropout_prob", &c.attention_probs_dropout_prob},
             {"initializer_range", &c.initializer_range},
             {"layer_norm_eps", &c.layer_norm_eps}}) {
      absl::Status s = get_double(key, field);
      if (!s.ok()) return s;
    }
    if (j.contains("hidden_act")) c.hidden_act = j["hidden_act"].get<std::string>();
    if (j.contains("position_embedding_type") && j["position_embedding_type"] != "absolute") {
      return absl::InvalidArgumentError(where + ": only position_embedding_type \"absolute\" is supported");
    }
    if (j.contains("architectures") && j["architectures"].is_array()) {
      for (const auto& a : j["architectures"]) c.architectures.push_back(a.get<std::string>());
    }
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": ", e.what()));
  }
  absl::Status s = c.Validate(where);
  if (!s.ok()) return s;
  return c;
}

absl::StatusOr<ElectraConfig> ReadConfig(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  return ConfigFromJson(*text, path);
}

}  // namespace electra
