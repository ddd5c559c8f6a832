// task_text: the unlabelled sentences of GLUE training sets as pretraining text, for
// task-adaptive pretraining (docs/results/tapt_2026-12-03/pretrain.sh adds them to the books).
// Training splits only, no labels.
#include <cstdio>

#include "absl/flags/flag.h"
#include "absl/strings/str_split.h"
#include "base/tool_main.h"
#include "glue/task_text.h"

ABSL_FLAG(std::string, data_dir, "data/glue", "GLUE data directory (DATA_DIR/<task>/train.tsv).");
ABSL_FLAG(std::string, tasks, "", "Comma-separated GLUE tasks whose training text to write. Required.");
ABSL_FLAG(std::string, output, "", "The text file to write (atomically). Required.");
ABSL_FLAG(bool, skip_malformed, false, "Skip and count malformed rows instead of stopping.");
ABSL_FLAG(int, examples_per_document, 32, "A blank line (a document break) after this many examples.");

int main(int argc, char** argv) {
  electra::ParseToolFlags(argc, argv, "task_text --tasks=CoLA,SST-2,... --output=FILE [--data_dir=data/glue] [--examples_per_document=32] [--skip_malformed]");
  return electra::RunTool("task_text", []() -> absl::Status {
    electra::TaskTextOptions o;
    o.data_dir = absl::GetFlag(FLAGS_data_dir);
    o.output = absl::GetFlag(FLAGS_output);
    o.examples_per_document = absl::GetFlag(FLAGS_examples_per_document);
    o.skip_malformed = absl::GetFlag(FLAGS_skip_malformed);
    if (absl::GetFlag(FLAGS_tasks).empty()) return electra::FlagError("tasks", "is required");
    if (o.output.empty()) return electra::FlagError("output", "is required");
    o.tasks = absl::StrSplit(absl::GetFlag(FLAGS_tasks), ',', absl::SkipEmpty());
    auto report = electra::WriteTaskText(o);
    if (!report.ok()) return report.status();
    for (const auto& [task, n] : report->examples) std::fprintf(stderr, "task_text: %s: %lld training examples\n", task.c_str(), static_cast<long long>(n));
    if (report->malformed > 0) std::fprintf(stderr, "task_text: skipped %lld malformed row(s)\n", static_cast<long long>(report->malformed));
    std::fprintf(stderr, "task_text: wrote %lld lines in %lld documents to %s\n", static_cast<long long>(report->lines),
                 static_cast<long long>(report->documents), o.output.c_str());
    return absl::OkStatus();
  });
}
