// The GLUE tasks as the GLUE download script lays them out (DATA_DIR/<Task>/{train,dev,test}.tsv):
// their columns, headers, label sets and orders, and a TSV reader that treats quotes as plain
// characters, strips a UTF-8 byte-order mark, accepts a missing final newline, and reports a
// malformed row with its file and line (or skips and counts it).
#ifndef ELECTRA_GLUE_TASKS_H_
#define ELECTRA_GLUE_TASKS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace electra {

// Where the fields of one split's rows are (column numbers; -1 = absent).
struct SplitLayout {
  bool header = true;
  int index = -1;  // the row id written back in test predictions (-1: the row number)
  int text_a = 0;
  int text_b = -1;
  int label = -1;  // -1 in test files; kLastColumn for MNLI
  int min_columns = 1;
};
constexpr int kLastColumn = -2;

struct TaskSpec {
  std::string name;                 // GLUE folder name, e.g. "SST-2"
  std::vector<std::string> labels;  // classification labels, in the official order; empty = regression
  SplitLayout train, dev, test;
  std::vector<std::string> dev_files;   // e.g. {"dev.tsv"}, MNLI {"dev_matched.tsv", "dev_mismatched.tsv"}
  std::vector<std::string> test_files;  // e.g. {"test.tsv"}
  // Names of the submission files, one per test file (CoLA.tsv, MNLI-m.tsv, MNLI-mm.tsv, ...).
  std::vector<std::string> submission_names;
  bool drop_incomplete_rows = false;  // QQP: rows with missing fields are dropped and counted
  bool double_with_swapped_pair = false;  // MRPC and STS-B training sets
  int default_epochs = 3;
  // Your own tasks (glue/user_task.h): the metric that scores them (empty for GLUE tasks, which
  // are scored as the ELECTRA paper scores them) and whether they tag tokens.
  std::string metric;
  bool tagging = false;

  bool regression() const { return labels.empty(); }
  int num_outputs() const { return regression() ? 1 : static_cast<int>(labels.size()); }
};

// The nine GLUE tasks (CoLA, SST-2, MRPC, STS-B, QQP, MNLI, QNLI, RTE, WNLI) and AX.
const std::vector<TaskSpec>& GlueTasks();
const TaskSpec* FindTask(const std::string& name);  // nullptr if unknown
// AX, the diagnostic set, is predicted by the MNLI model: DATA_DIR/diagnostic/diagnostic.tsv or
// DATA_DIR/AX/AX.tsv / test.tsv.
const TaskSpec& AxTask();
std::string FindAxFile(const std::string& data_dir);  // "" if absent

struct GlueExample {
  std::string id;     // index column or row number
  std::string a, b;   // b empty for single-sentence tasks
  int label = -1;     // class index (classification, labelled splits)
  float score = 0;    // regression target (STS-B)
  int64_t line = 0;   // line in the file
};

struct ReadStats {
  int64_t rows = 0;       // data rows (header excluded)
  int64_t dropped = 0;    // incomplete rows dropped (QQP)
  int64_t malformed = 0;  // malformed rows skipped (with skip_malformed)
};

// A text file's contents checked as UTF-8 (an error names the file, line and byte offset), without
// a leading byte-order mark. Every task reader starts here.
absl::StatusOr<std::string> ReadUtf8Text(const std::string& path);

// Reads one split file. `layout` says where the fields are; labelled splits need a label.
absl::StatusOr<std::vector<GlueExample>> ReadGlueFile(const TaskSpec& task, const SplitLayout& layout,
                                                      const std::string& path, bool skip_malformed,
                                                      ReadStats* stats);

// The label string of a prediction (classification) or the formatted score (regression).
std::string LabelString(const TaskSpec& task, int label);

}  // namespace electra

#endif  // ELECTRA_GLUE_TASKS_H_
