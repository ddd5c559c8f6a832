// What fine-tuning and `predict` share: encoding examples into token ids (sentences and pairs;
// tagged sentences as windows with the position of each word's first piece), padded batches, and
// batched prediction over a whole set in one fixed order, so the same model gives the same
// outputs in both tools.
#ifndef ELECTRA_GLUE_INFERENCE_H_
#define ELECTRA_GLUE_INFERENCE_H_

#include <string>
#include <vector>

#include <torch/torch.h>

#include "glue/tasks.h"
#include "glue/user_task.h"
#include "model/electra.h"
#include "tokenizer/bert_tokenizer.h"

namespace electra {

struct Encoded {
  std::vector<int32_t> ids, types;
  int label = -1;
  float score = 0;
  std::string id;
  // Tagging: the position of each word's first piece in `ids`, and the words' tags (empty when
  // unlabelled). A window holds consecutive words of one sentence.
  std::vector<int32_t> word_positions;
  std::vector<int32_t> tags;
};

// Sentences and pairs (pairs cut longest-first); `swap` exchanges A and B.
std::vector<Encoded> EncodeExamples(const BertTokenizer& t, const std::vector<GlueExample>& in, int max_len, bool swap);

// Tagged sentences as windows of whole words of at most max_len tokens with [CLS] and [SEP]: a
// sentence that does not fit goes on in the next window, so every word is predicted. A word with
// no pieces (nothing the tokenizer keeps) reads as [UNK]; a word with more pieces than a window
// holds keeps its first ones. `tags` is empty for unlabelled input.
std::vector<Encoded> EncodeTagged(const BertTokenizer& t, const std::vector<TaggedSentence>& sentences,
                                  const std::vector<std::vector<int>>& tags, int max_len);

// A padded batch of examples[order[begin, end)] (padded to the longest). For tagging,
// `word_index` indexes the flattened (B * T) positions of the words' first pieces, in order, and
// `word_tags` holds their tags.
struct Batch {
  torch::Tensor ids, mask, types, labels, scores, word_index, word_tags;
};
Batch MakeBatch(const std::vector<Encoded>& examples, const std::vector<size_t>& order, size_t begin, size_t end,
                torch::Device device, bool tagging);

// The classifier's outputs for a batch: (B, C) on [CLS], or for tagging (words, C) at the words'
// first pieces.
torch::Tensor BatchOutputs(Classifier& model, const Batch& x, bool tagging);

// Outputs for a whole set, in order: (N, C) per example, or for tagging (words, C) for every word
// of every example in order. Examples are batched by length (less padding) in a fixed order.
// `progress_label` non-empty: progress lines on stderr for long sets.
torch::Tensor PredictSet(Classifier& model, const std::vector<Encoded>& examples, int batch, torch::Device device,
                         bool autocast, bool tagging, const std::string& progress_label = "");

// How a fine-tuned model's outputs become predictions: saved by `finetune --save_model` as
// RUN/model/task.json and read by `predict`.
struct PredictionTask {
  UserTask task;               // name, type, labels, the input's format and columns, metric
  int max_seq_length = 128;
  bool lowercase = true;
  double output_scale = 1.0;   // regression: prediction = output * output_scale
  bool clamp = false;          // regression: clamp predictions to [clamp_min, clamp_max] (STS-B: 0-5)
  double clamp_min = 0, clamp_max = 0;
};
nlohmann::ordered_json PredictionTaskJson(const PredictionTask& p);
// Reads DIR/task.json; a model directory without one (a pretraining checkpoint) is an error that
// says so.
absl::StatusOr<PredictionTask> ReadPredictionTask(const std::string& model_dir);

// A regression output on the label's scale.
double RegressionPrediction(const PredictionTask& p, float output);

// Predictions of a sentence or pair task, one row per example with a header:
// classification "id, prediction, p_<label>..." (softmax probabilities); regression "id, prediction".
std::string FormatRowPredictions(const PredictionTask& p, const std::vector<std::string>& ids, const torch::Tensor& outputs);

// The predicted tag of every word, sentence by sentence.
std::vector<std::vector<std::string>> PredictedTags(const PredictionTask& p, const std::vector<TaggedSentence>& sentences,
                                                    const torch::Tensor& outputs);
// Tagging predictions CoNLL-style: "token<TAB>tag" (and "<TAB>gold" with `with_gold`) per word,
// a blank line after each sentence.
std::string FormatTagPredictions(const std::vector<TaggedSentence>& sentences,
                                 const std::vector<std::vector<std::string>>& tags, bool with_gold);

}  // namespace electra

#endif  // ELECTRA_GLUE_INFERENCE_H_
