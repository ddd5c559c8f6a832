#include "glue/inference.h"

#include <algorithm>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/file_util.h"
#include "base/progress.h"
#include "model/torch_compat.h"

namespace electra {

std::vector<Encoded> EncodeExamples(const BertTokenizer& t, const std::vector<GlueExample>& in, int max_len, bool swap) {
  std::vector<Encoded> out;
  out.reserve(in.size());
  for (const auto& e : in) {
    std::vector<int32_t> a = t.Tokenize(swap ? e.b : e.a), b;
    Encoding enc;
    if (!e.b.empty()) {
      b = t.Tokenize(swap ? e.a : e.b);
      enc = t.EncodePair(a, b, max_len, false);
    } else {
      enc = t.EncodeSingle(a, max_len, false);
    }
    Encoded x;
    x.ids = enc.ids;
    x.types = enc.type_ids;
    x.label = e.label;
    x.score = e.score;
    x.id = e.id;
    out.push_back(std::move(x));
  }
  return out;
}

std::vector<Encoded> EncodeTagged(const BertTokenizer& t, const std::vector<TaggedSentence>& sentences,
                                  const std::vector<std::vector<int>>& tags, int max_len) {
  const size_t budget = static_cast<size_t>(std::max(1, max_len - 2));
  const int32_t cls = t.vocab().cls_id(), sep = t.vocab().sep_id(), unk = t.vocab().unk_id();
  std::vector<Encoded> out;
  for (size_t s = 0; s < sentences.size(); ++s) {
    const TaggedSentence& sentence = sentences[s];
    Encoded window;
    auto start = [&] {
      window = Encoded();
      window.id = std::to_string(s);
      window.ids.push_back(cls);
    };
    auto finish = [&] {
      window.ids.push_back(sep);
      window.types.assign(window.ids.size(), 0);
      out.push_back(std::move(window));
    };
    start();
    for (size_t w = 0; w < sentence.words.size(); ++w) {
      std::vector<int32_t> pieces = t.Tokenize(sentence.words[w]);
      if (pieces.empty()) pieces.push_back(unk);
      if (pieces.size() > budget) pieces.resize(budget);
      if (window.ids.size() - 1 + pieces.size() > budget) {
        finish();
        start();
      }
      window.word_positions.push_back(static_cast<int32_t>(window.ids.size()));
      if (!tags.empty()) window.tags.push_back(tags[s][w]);
      window.ids.insert(window.ids.end(), pieces.begin(), pieces.end());
    }
    finish();
  }
  return out;
}

Batch MakeBatch(const std::vector<Encoded>& examples, const std::vector<size_t>& order, size_t begin, size_t end,
                torch::Device device, bool tagging) {
  int64_t n = static_cast<int64_t>(end - begin), T = 1, words = 0;
  for (size_t i = begin; i < end; ++i) {
    T = std::max<int64_t>(T, examples[order[i]].ids.size());
    words += static_cast<int64_t>(examples[order[i]].word_positions.size());
  }
  auto ids = torch::zeros({n, T}, torch::kLong), mask = torch::zeros({n, T}, torch::kLong),
       types = torch::zeros({n, T}, torch::kLong), labels = torch::zeros({n}, torch::kLong),
       scores = torch::zeros({n}, torch::kFloat32);
  auto word_index = torch::zeros({words}, torch::kLong), word_tags = torch::zeros({words}, torch::kLong);
  auto ia = ids.accessor<int64_t, 2>(), ma = mask.accessor<int64_t, 2>(), ta = types.accessor<int64_t, 2>();
  auto la = labels.accessor<int64_t, 1>();
  auto sa = scores.accessor<float, 1>();
  auto wi = word_index.accessor<int64_t, 1>(), wt = word_tags.accessor<int64_t, 1>();
  int64_t w = 0;
  for (int64_t r = 0; r < n; ++r) {
    const Encoded& e = examples[order[begin + r]];
    for (size_t t = 0; t < e.ids.size(); ++t) {
      ia[r][t] = e.ids[t];
      ma[r][t] = 1;
      ta[r][t] = e.types[t];
    }
    la[r] = std::max(0, e.label);
    sa[r] = e.score;
    for (size_t k = 0; k < e.word_positions.size(); ++k, ++w) {
      wi[w] = r * T + e.word_positions[k];
      wt[w] = k < e.tags.size() ? e.tags[k] : 0;
    }
  }
  bool nb = device.is_cuda();
  Batch b{ids.to(device, nb), mask.to(device, nb), types.to(device, nb), labels.to(device, nb), scores.to(device, nb),
          {}, {}};
  if (tagging) {
    b.word_index = word_index.to(device, nb);
    b.word_tags = word_tags.to(device, nb);
  }
  return b;
}

torch::Tensor BatchOutputs(Classifier& model, const Batch& x, bool tagging) {
  if (!tagging) return model(x.ids, x.mask, x.types);
  torch::Tensor logits = model->TokenLogits(x.ids, x.mask, x.types);  // (B, T, C)
  return logits.reshape({-1, logits.size(-1)}).index_select(0, x.word_index);
}

torch::Tensor PredictSet(Classifier& model, const std::vector<Encoded>& examples, int batch, torch::Device device,
                         bool autocast, bool tagging, const std::string& progress_label) {
  torch::NoGradGuard no_grad;
  model->eval();
  std::vector<size_t> order(examples.size());
  std::iota(order.begin(), order.end(), 0);
  // Sorted by length for less padding; results go back to their rows.
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return examples[a].ids.size() < examples[b].ids.size(); });
  std::vector<torch::Tensor> parts;
  Progress progress(progress_label, static_cast<double>(order.size()), "examples", 5.0);
  for (size_t b = 0; b < order.size(); b += batch) {
    size_t e = std::min(order.size(), b + batch);
    Batch x = MakeBatch(examples, order, b, e, device, tagging);
    AutocastScope scope(autocast, torch::kBFloat16, device.type());
    parts.push_back(BatchOutputs(model, x, tagging).to(torch::kFloat32).cpu());
    if (!progress_label.empty()) progress.Update(static_cast<double>(e));
  }
  if (!progress_label.empty()) progress.Finish();
  const int64_t classes = parts.empty() ? 1 : parts.front().size(1);
  if (!tagging) {
    torch::Tensor sorted = parts.empty() ? torch::zeros({0, classes}) : torch::cat(parts);
    torch::Tensor out = torch::empty_like(sorted);
    auto index = torch::tensor(std::vector<int64_t>(order.begin(), order.end()), torch::kLong);
    if (!order.empty()) out.index_copy_(0, index, sorted);
    return out;
  }
  // Tagging: the sorted examples' words, put back in example order.
  std::vector<int64_t> first(examples.size() + 1, 0);
  for (size_t i = 0; i < examples.size(); ++i) first[i + 1] = first[i] + examples[i].word_positions.size();
  std::vector<int64_t> destination;
  destination.reserve(first.back());
  for (size_t i : order) {
    for (int64_t k = first[i]; k < first[i + 1]; ++k) destination.push_back(k);
  }
  torch::Tensor sorted = parts.empty() ? torch::zeros({0, classes}) : torch::cat(parts);
  torch::Tensor out = torch::empty_like(sorted);
  if (!destination.empty()) out.index_copy_(0, torch::tensor(destination, torch::kLong), sorted);
  return out;
}

nlohmann::ordered_json PredictionTaskJson(const PredictionTask& p) {
  nlohmann::ordered_json j = UserTaskJson(p.task);
  j["max_seq_length"] = p.max_seq_length;
  j["lowercase"] = p.lowercase;
  if (p.task.regression()) {
    j["output_scale"] = p.output_scale;
    if (p.clamp) j["clamp"] = {p.clamp_min, p.clamp_max};
  }
  return j;
}

absl::StatusOr<PredictionTask> ReadPredictionTask(const std::string& model_dir) {
  const std::string path = JoinPath(model_dir, "task.json");
  if (!PathExists(path)) {
    return absl::NotFoundError(absl::StrCat(model_dir, " is not a fine-tuned model: it has no task.json (fine-tune it with ",
                                            "finetune --save_model and give predict RUN/model)"));
  }
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return absl::DataLossError(path + ": not a JSON object");
  PredictionTask p;
  nlohmann::json task = j;
  for (const char* key : {"max_seq_length", "lowercase", "output_scale", "clamp"}) task.erase(key);
  // A GLUE task's description carries its GLUE name, which a user's spec may not take.
  const bool glue = FindTask(j.value("name", "")) != nullptr;
  if (glue) task["name"] = "glue-" + j.value("name", "");
  absl::StatusOr<UserTask> t = UserTaskFromJson(task, path);
  if (!t.ok()) return t.status();
  p.task = *std::move(t);
  if (glue) p.task.name = j["name"].get<std::string>();
  if (!j.contains("max_seq_length") || !j["max_seq_length"].is_number_integer() || !j.contains("lowercase") ||
      !j["lowercase"].is_boolean()) {
    return absl::DataLossError(path + ": needs max_seq_length (an integer) and lowercase (true or false)");
  }
  p.max_seq_length = j["max_seq_length"].get<int>();
  p.lowercase = j["lowercase"].get<bool>();
  if (j.contains("output_scale")) {
    if (!j["output_scale"].is_number()) return absl::DataLossError(path + ": output_scale is not a number");
    p.output_scale = j["output_scale"].get<double>();
  }
  if (j.contains("clamp")) {
    const nlohmann::json& c = j["clamp"];
    if (!c.is_array() || c.size() != 2 || !c[0].is_number() || !c[1].is_number()) {
      return absl::DataLossError(path + ": clamp must be [min, max]");
    }
    p.clamp = true;
    p.clamp_min = c[0].get<double>();
    p.clamp_max = c[1].get<double>();
  }
  if (!p.task.regression() && p.task.labels.size() < 2) return absl::DataLossError(path + ": fewer than two labels");
  return p;
}

double RegressionPrediction(const PredictionTask& p, float output) {
  double v = static_cast<double>(output) * p.output_scale;
  return p.clamp ? std::clamp(v, p.clamp_min, p.clamp_max) : v;
}

std::string FormatRowPredictions(const PredictionTask& p, const std::vector<std::string>& ids, const torch::Tensor& outputs) {
  std::string out = "id\tprediction";
  if (!p.task.regression()) {
    for (const auto& l : p.task.labels) absl::StrAppend(&out, "\tp_", l);
  }
  out += "\n";
  torch::Tensor probs = p.task.regression() ? outputs : torch::softmax(outputs, -1);
  auto a = probs.accessor<float, 2>();
  for (size_t i = 0; i < ids.size(); ++i) {
    out += ids[i];
    if (p.task.regression()) {
      absl::StrAppendFormat(&out, "\t%.6g\n", RegressionPrediction(p, a[i][0]));
      continue;
    }
    int best = static_cast<int>(outputs[i].argmax().item<int64_t>());
    absl::StrAppend(&out, "\t", p.task.labels[best]);
    for (int64_t c = 0; c < probs.size(1); ++c) absl::StrAppendFormat(&out, "\t%.6f", a[i][c]);
    out += "\n";
  }
  return out;
}

std::vector<std::vector<std::string>> PredictedTags(const PredictionTask& p, const std::vector<TaggedSentence>& sentences,
                                                    const torch::Tensor& outputs) {
  torch::Tensor best = outputs.numel() > 0 ? outputs.argmax(-1) : torch::zeros({0}, torch::kLong);
  auto b = best.accessor<int64_t, 1>();
  std::vector<std::vector<std::string>> tags;
  int64_t w = 0;
  for (const TaggedSentence& s : sentences) {
    std::vector<std::string> t;
    for (size_t k = 0; k < s.words.size(); ++k) t.push_back(p.task.labels[b[w++]]);
    tags.push_back(std::move(t));
  }
  return tags;
}

std::string FormatTagPredictions(const std::vector<TaggedSentence>& sentences,
                                 const std::vector<std::vector<std::string>>& tags, bool with_gold) {
  std::string out;
  for (size_t s = 0; s < sentences.size(); ++s) {
    for (size_t w = 0; w < sentences[s].words.size(); ++w) {
      absl::StrAppend(&out, sentences[s].words[w], "\t", tags[s][w]);
      if (with_gold) absl::StrAppend(&out, "\t", w < sentences[s].tags.size() ? sentences[s].tags[w] : "");
      out += "\n";
    }
    out += "\n";
  }
  return out;
}

}  // namespace electra
