// A fine-tuning task the user describes in a JSON file (finetune --task_spec=FILE) instead of a
// GLUE name: its files (TSV, CSV, JSON Lines, or CoNLL-style tagging files), the columns holding
// the texts and the label, the kind of task and its labels, and the metric it is scored by.
//
//   {"name": "spam", "type": "classification", "format": "jsonl",
//    "train": "train.jsonl", "dev": "dev.jsonl", "test": "test.jsonl",
//    "text_a": "text", "label": "label", "id": "id",
//    "labels": ["ham", "spam"], "metric": "accuracy"}
//
// Paths are relative to the spec file's folder. The same description, with the paths left out,
// travels with a fine-tuned model (RUN/model/task.json) so that `predict` reads new input as the
// fine-tuner read its files.
#ifndef ELECTRA_GLUE_USER_TASK_H_
#define ELECTRA_GLUE_USER_TASK_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "glue/tasks.h"
#include "nlohmann/json.hpp"

namespace electra {

struct UserTask {
  std::string name;                  // results go to OUTPUT_DIR/<name>/run-K/
  std::string type;                  // classification | regression | tagging
  std::string format;                // tsv | csv | jsonl | conll (tagging reads conll only)
  std::string train, dev, test;      // resolved paths; test may be empty
  bool header = true;                // tsv/csv: the first line names the columns
  // Where each field is: a header name or JSON key, or a 0-based column number written as digits.
  std::string text_a, text_b, label, id;  // text_b, id optional; unused for tagging
  std::vector<std::string> labels;   // classification and tagging, in output order
  std::string metric;                // accuracy | f1 | mcc | spearman | pearson | span_f1
  int epochs = 3;

  bool tagging() const { return type == "tagging"; }
  bool regression() const { return type == "regression"; }
};

// Reads and checks a spec file. Labels may be given inline ("labels") or as a file with one per
// line ("labels_file"); when neither is given they are the training file's labels, sorted.
absl::StatusOr<UserTask> ReadUserTask(const std::string& path);

// The description saved with a fine-tuned model (no file paths), and its inverse.
nlohmann::ordered_json UserTaskJson(const UserTask& task);
absl::StatusOr<UserTask> UserTaskFromJson(const nlohmann::json& j, const std::string& where);

// The TaskSpec the fine-tuner runs (name, labels, metric, epochs).
TaskSpec UserTaskSpec(const UserTask& task);

// The description of a built-in GLUE task, for a model fine-tuned on it: its test file's layout
// (TSV with a header; the columns by their header names).
UserTask GlueUserTask(const TaskSpec& task);

// One row of a sentence or pair task with its label as written (empty in unlabelled files).
struct UserRow {
  std::string id, a, b, label;
  int64_t line = 0;  // where the row starts in its file (1-based)
};

// Reads a TSV (tabs split fields; quotes are plain characters), CSV (RFC 4180: quoted fields with
// "" for a quote, commas and newlines inside quotes) or JSON Lines file (one object per line; a
// label or text may be a string or a number). `labelled`: the label column must be present.
// Errors name the file and line.
absl::StatusOr<std::vector<UserRow>> ReadUserRows(const UserTask& task, const std::string& path, bool labelled,
                                                  const std::string& format);

// One sentence of a tagging file.
struct TaggedSentence {
  std::vector<std::string> words;
  std::vector<std::string> tags;  // empty in an unlabelled file
  int64_t line = 0;               // its first line
};

// Reads a CoNLL-style file: one token per line with its tag in the last whitespace-separated
// field, a blank line between sentences, -DOCSTART- lines skipped. `labelled`: every line needs a
// token and a tag (two fields or more); otherwise the token is the first field and a tag is
// optional.
absl::StatusOr<std::vector<TaggedSentence>> ReadConll(const std::string& path, bool labelled);

// The label of each row or tag as an index into task.labels: a label outside the list is an error
// naming the file and line.
absl::StatusOr<std::vector<GlueExample>> LabelRows(const UserTask& task, const std::vector<UserRow>& rows,
                                                   const std::string& path, bool labelled);
absl::StatusOr<std::vector<std::vector<int>>> LabelTags(const UserTask& task,
                                                        const std::vector<TaggedSentence>& sentences,
                                                        const std::string& path);

// The sorted distinct labels of a training set (the default label list).
std::vector<std::string> DistinctLabels(const std::vector<UserRow>& rows);
std::vector<std::string> DistinctTags(const std::vector<TaggedSentence>& sentences);

// Without labels in the spec, a classification or tagging task's labels are the training
// file's, sorted; fewer than two is an error.
absl::Status FillDefaultLabels(UserTask* task, const std::string& spec_path);

// The input format of a file: the spec's format, else by extension (.tsv, .csv, .jsonl/.json).
std::string FormatOfPath(const std::string& path);

}  // namespace electra

#endif  // ELECTRA_GLUE_USER_TASK_H_
