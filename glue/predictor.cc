#include "glue/predictor.h"

#include <cstdio>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/file_util.h"
#include "glue/inference.h"
#include "glue/tasks.h"
#include "glue/user_task.h"
#include "model/electra.h"
#include "model/model_dir.h"
#include "tokenizer/bert_tokenizer.h"
#include "train/device.h"

namespace electra {
namespace {

std::string Describe(const UserTask& t) {
  std::string d = absl::StrCat("'", t.name, "' (", t.type);
  if (!t.regression()) absl::StrAppend(&d, "; labels ", absl::StrJoin(t.labels, ", "));
  return d + ")";
}

// Step 1: the task the caller expects (--task or --task_spec) must be the one the model was
// fine-tuned for: its name, type and label list, in order.
absl::Status CheckExpectedTask(const PredictOptions& o, const PredictionTask& model_task) {
  UserTask expected;
  if (!o.task_spec.empty()) {
    absl::StatusOr<UserTask> spec = ReadUserTask(o.task_spec);
    if (!spec.ok()) return spec.status();
    absl::Status s = FillDefaultLabels(&*spec, o.task_spec);
    if (!s.ok()) return s;
    expected = *std::move(spec);
  } else if (!o.task.empty()) {
    const TaskSpec* glue = FindTask(o.task);
    if (glue == nullptr) return absl::InvalidArgumentError("--task: unknown GLUE task '" + o.task + "'");
    expected = GlueUserTask(*glue);
  } else {
    return absl::OkStatus();
  }
  const UserTask& got = model_task.task;
  if (expected.name != got.name || expected.type != got.type || expected.labels != got.labels) {
    return absl::FailedPreconditionError(absl::StrCat(o.model_dir, " was fine-tuned for task ", Describe(got), ", not for ",
                                                      Describe(expected), " (", o.task_spec.empty() ? "--task" : o.task_spec,
                                                      ")"));
  }
  return absl::OkStatus();
}

// Step 2: the columns and format of this input: the task's, with the flags' overrides.
absl::StatusOr<UserTask> InputLayout(const PredictOptions& o, const PredictionTask& p, std::string* format) {
  UserTask t = p.task;
  if (!o.format.empty()) {
    *format = o.format;
  } else if (t.tagging()) {
    *format = "conll";
  } else {
    const std::string by_name = FormatOfPath(o.input);
    const bool known = absl::EndsWith(o.input, ".tsv") || by_name != "tsv";
    *format = known ? by_name : t.format;
  }
  if (t.tagging() != (*format == "conll")) {
    return absl::InvalidArgumentError(absl::StrCat("--format=", *format, ": ", o.model_dir, " is a ", t.type,
                                                   " model; it reads ", t.tagging() ? "conll" : "tsv, csv or jsonl"));
  }
  if (*format != "conll" && *format != "tsv" && *format != "csv" && *format != "jsonl") {
    return absl::InvalidArgumentError("--format: must be tsv, csv, jsonl or conll");
  }
  if (!o.text_a.empty()) t.text_a = o.text_a;
  if (!o.text_b.empty()) t.text_b = o.text_b == "none" ? "" : o.text_b;
  if (!o.id.empty()) t.id = o.id == "none" ? "" : o.id;
  if (o.header == "true" || o.header == "false") {
    t.header = o.header == "true";
  } else if (o.header != "auto") {
    return absl::InvalidArgumentError("--header: must be auto, true or false");
  }
  return t;
}

}  // namespace

absl::Status RunPredict(const PredictOptions& o) {
  // A damaged directory (a flipped bit, a cut file) would otherwise predict with wrong weights.
  std::string note;
  absl::Status s = VerifyModelDir(o.model_dir, &note);
  if (!s.ok()) return s;
  absl::StatusOr<PredictionTask> p = ReadPredictionTask(o.model_dir);
  if (!p.ok()) return p.status();
  s = CheckExpectedTask(o, *p);
  if (!s.ok()) return s;
  std::string format;
  absl::StatusOr<UserTask> layout = InputLayout(o, *p, &format);
  if (!layout.ok()) return layout.status();
  if (o.batch_size < 1) return absl::InvalidArgumentError("--batch_size: must be at least 1");

  // Step 3: the model, its tokenizer and the device.
  absl::StatusOr<ElectraConfig> config = ReadModelConfig(o.model_dir);
  if (!config.ok()) return config.status();
  NormalizerOptions norm;
  norm.lowercase = norm.strip_accents = p->lowercase;
  absl::StatusOr<std::unique_ptr<BertTokenizer>> tokenizer = BertTokenizer::FromFile(JoinPath(o.model_dir, "vocab.txt"), norm);
  if (!tokenizer.ok()) return tokenizer.status();
  SetCpuThreads(o.threads);
  absl::StatusOr<torch::Device> device = ResolveDevice(o.device, 0);
  if (!device.ok()) return device.status();
  absl::StatusOr<std::string> precision = ResolvePrecision(o.precision, *device, o.testing_emulated_bf16);
  if (!precision.ok()) return precision.status();
  if (*precision == "fp16") return absl::InvalidArgumentError("--precision: predict runs in auto, fp32 or bf16");
  const bool autocast = *precision == "bf16";
  const int classes = p->task.regression() ? 1 : static_cast<int>(p->task.labels.size());
  Classifier model(*config, classes, 0.0);
  s = LoadModelDir(o.model_dir, *model);
  if (!s.ok()) return s;
  model->to(*device);

  // Step 4: read, encode, predict, write.
  const bool tagging = p->task.tagging();
  const std::string label = o.quiet ? "" : "predict";
  std::string text;
  if (tagging) {
    absl::StatusOr<std::vector<TaggedSentence>> sentences = ReadConll(o.input, false);
    if (!sentences.ok()) return sentences.status();
    std::vector<Encoded> encoded = EncodeTagged(**tokenizer, *sentences, {}, p->max_seq_length);
    torch::Tensor out = PredictSet(model, encoded, o.batch_size, *device, autocast, true, label);
    text = FormatTagPredictions(*sentences, PredictedTags(*p, *sentences, out), false);
  } else {
    absl::StatusOr<std::vector<UserRow>> rows = ReadUserRows(*layout, o.input, false, format);
    if (!rows.ok()) return rows.status();
    absl::StatusOr<std::vector<GlueExample>> examples = LabelRows(*layout, *rows, o.input, false);
    if (!examples.ok()) return examples.status();
    std::vector<Encoded> encoded = EncodeExamples(**tokenizer, *examples, p->max_seq_length, false);
    torch::Tensor out = PredictSet(model, encoded, o.batch_size, *device, autocast, false, label);
    std::vector<std::string> ids;
    for (const auto& e : *examples) ids.push_back(e.id);
    text = FormatRowPredictions(*p, ids, out);
  }
  if (o.output.empty() || o.output == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return absl::OkStatus();
  }
  s = WriteFileAtomically(o.output, text);
  if (s.ok() && !o.quiet) {
    std::fprintf(stderr, "predict: %s (%s, %s) -> %s\n", o.input.c_str(), p->task.name.c_str(), precision->c_str(),
                 o.output.c_str());
  }
  return s;
}

}  // namespace electra
