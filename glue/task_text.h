// The unlabelled text of GLUE training sets as pretraining text (task-adaptive pretraining,
// Gururangan et al. 2020): one sentence per line, each pair's two sentences on consecutive lines,
// a blank line (a document break for shard_corpus --blank_lines_separate_docs) after every
// `examples_per_document` examples and after each task. Only training splits are read, never
// dev or test, and no label is written.
#ifndef ELECTRA_GLUE_TASK_TEXT_H_
#define ELECTRA_GLUE_TASK_TEXT_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace electra {

struct TaskTextOptions {
  std::string data_dir;            // DATA_DIR/<task>/train.tsv
  std::vector<std::string> tasks;  // GLUE folder names, e.g. {"CoLA", "SST-2"}
  std::string output;              // written atomically: an old file survives any error
  int examples_per_document = 32;
  bool skip_malformed = false;  // skip and count malformed rows instead of stopping
};

struct TaskTextReport {
  std::vector<std::pair<std::string, int64_t>> examples;  // per task, in order
  int64_t lines = 0;                                       // text lines written (blank lines excluded)
  int64_t documents = 0;
  int64_t malformed = 0;  // rows skipped with skip_malformed
};

absl::StatusOr<TaskTextReport> WriteTaskText(const TaskTextOptions& options);

}  // namespace electra

#endif  // ELECTRA_GLUE_TASK_TEXT_H_
