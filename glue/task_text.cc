#include "glue/task_text.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "base/file_util.h"
#include "glue/tasks.h"

namespace electra {
namespace {

std::string TaskNames() {
  std::vector<std::string> names;
  for (const TaskSpec& t : GlueTasks()) names.push_back(t.name);
  return absl::StrJoin(names, ", ");
}

// Appends one task's training text to `text`; returns the number of examples.
absl::StatusOr<int64_t> AppendTrainingText(const TaskSpec& task, const std::string& path,
                                           const TaskTextOptions& options, std::string* text,
                                           TaskTextReport* report) {
  ReadStats stats;
  auto rows = ReadGlueFile(task, task.train, path, options.skip_malformed, &stats);
  if (!rows.ok()) return rows.status();
  report->malformed += stats.malformed;
  const int per_document = options.examples_per_document;
  int64_t in_document = 0;
  for (const GlueExample& row : *rows) {
    for (const std::string* field : {&row.a, &row.b}) {
      absl::string_view line = absl::StripAsciiWhitespace(*field);
      if (line.empty()) continue;
      absl::StrAppend(text, line, "\n");
      ++report->lines;
    }
    if (++in_document == per_document) {
      text->append("\n");
      ++report->documents;
      in_document = 0;
    }
  }
  if (in_document > 0) {
    text->append("\n");
    ++report->documents;
  }
  return static_cast<int64_t>(rows->size());
}

}  // namespace

absl::StatusOr<TaskTextReport> WriteTaskText(const TaskTextOptions& options) {
  if (options.examples_per_document < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("examples_per_document must be at least 1, got ", options.examples_per_document));
  }
  if (options.tasks.empty()) return absl::InvalidArgumentError("no task given (choose from " + TaskNames() + ")");
  TaskTextReport report;
  std::string text;
  for (const std::string& name : options.tasks) {
    const TaskSpec* task = FindTask(name);
    if (task == nullptr) {
      return absl::InvalidArgumentError("unknown GLUE task '" + name + "' (choose from " + TaskNames() + ")");
    }
    const std::string path = JoinPath(JoinPath(options.data_dir, task->name), "train.tsv");
    if (!PathExists(path)) return absl::NotFoundError(path + ": no training file for " + task->name);
    auto n = AppendTrainingText(*task, path, options, &text, &report);
    if (!n.ok()) return n.status();
    report.examples.emplace_back(task->name, *n);
  }
  absl::Status written = WriteFileAtomically(options.output, text);
  if (!written.ok()) return written;
  return report;
}

}  // namespace electra
