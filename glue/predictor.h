// //glue:predict: labels new input with a fine-tuned model directory (finetune --save_model's
// RUN/model/), reading it as the task's description (task.json) says: sentences and pairs from
// TSV, CSV or JSON Lines, tagged sentences CoNLL-style. Classification writes the label and the
// class probabilities, regression the score, tagging the tag of each token. Batched (by length, as
// the fine-tuner predicts its dev set, so fp32 outputs equal the fine-tuner's), bf16 on CPUs with
// native bf16 unless --precision=fp32.
#ifndef ELECTRA_GLUE_PREDICTOR_H_
#define ELECTRA_GLUE_PREDICTOR_H_

#include <string>

#include "absl/status/status.h"

namespace electra {

struct PredictOptions {
  std::string model_dir;   // RUN/model of finetune --save_model
  std::string input;       // the file to label
  std::string output;      // where the predictions go ("" or "-": stdout)
  std::string format;      // "": the input's extension, else the task's format; tsv | csv | jsonl | conll
  // Overrides of the task's columns for this input ("" keeps the task's; "none" for an absent id or
  // second text) and whether it has a header line ("auto" keeps the task's).
  std::string text_a, text_b, id, header = "auto";
  // The task the model must have been fine-tuned for (optional): a GLUE name or a spec file.
  std::string task, task_spec;
  int batch_size = 128;    // the fine-tuner's eval batch size
  std::string device = "auto";
  std::string precision = "auto";  // auto | fp32 | bf16
  bool testing_emulated_bf16 = false;
  int threads = 0;
  bool quiet = false;
};

absl::Status RunPredict(const PredictOptions& options);

}  // namespace electra

#endif  // ELECTRA_GLUE_PREDICTOR_H_
