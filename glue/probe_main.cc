// probe: a linear probe on frozen final-layer features of one or more model directories for a
// single-sentence GLUE task (glue/probe.h), beside the majority class.
#include <cstdio>

#include "absl/flags/flag.h"
#include "absl/strings/str_split.h"
#include "base/file_util.h"
#include "base/tool_main.h"
#include "glue/probe.h"

ABSL_FLAG(std::string, model, "", "Model directory, or several separated by commas (e.g. pretrained,untrained). Required.");
ABSL_FLAG(std::string, labels, "", "Names of the models in the table, comma-separated (default: the directories).");
ABSL_FLAG(std::string, task, "SST-2", "Single-sentence GLUE task: SST-2 or CoLA.");
ABSL_FLAG(std::string, data_dir, "data/glue", "GLUE data directory (DATA_DIR/<task>/{train,dev}.tsv).");
ABSL_FLAG(int64_t, train_limit, 2000, "Fit on the first N training sentences.");
ABSL_FLAG(int64_t, dev_limit, -1, "Score on the first N dev sentences (-1: all).");
ABSL_FLAG(double, c, 1.0, "Inverse L2 strength of the logistic regression (scikit-learn's C).");
ABSL_FLAG(std::string, json, "", "Also write the result as JSON to this file.");
ABSL_FLAG(std::string, precision, "auto", "auto (bf16 on CPUs with native bf16, else fp32), fp32 or bf16.");
ABSL_FLAG(bool, testing_emulated_bf16, false, "Testing hook: allow bf16 on a CPU without native bf16 (slow).");
ABSL_FLAG(int, threads, 0, "Intra-op CPU threads (0: the library's default).");

int main(int argc, char** argv) {
  electra::ParseToolFlags(argc, argv, "probe --model=DIR[,DIR...] [--labels=A,B] [--task=SST-2|CoLA] [--train_limit=2000]");
  return electra::RunTool("probe", []() -> absl::Status {
    electra::ProbeOptions o;
    std::string models = absl::GetFlag(FLAGS_model), labels = absl::GetFlag(FLAGS_labels);
    if (models.empty()) return electra::FlagError("model", "is required");
    o.models = absl::StrSplit(models, ',', absl::SkipEmpty());
    if (!labels.empty()) o.labels = absl::StrSplit(labels, ',');
    if (!o.labels.empty() && o.labels.size() != o.models.size()) {
      return electra::FlagError("labels", "needs one name per --model directory");
    }
    o.task = absl::GetFlag(FLAGS_task);
    o.data_dir = absl::GetFlag(FLAGS_data_dir);
    o.train_limit = absl::GetFlag(FLAGS_train_limit);
    o.dev_limit = absl::GetFlag(FLAGS_dev_limit);
    o.c = absl::GetFlag(FLAGS_c);
    o.precision = absl::GetFlag(FLAGS_precision);
    o.testing_emulated_bf16 = absl::GetFlag(FLAGS_testing_emulated_bf16);
    o.threads = absl::GetFlag(FLAGS_threads);
    if (o.train_limit < 2) return electra::FlagError("train_limit", "must be at least 2");
    if (!(o.c > 0)) return electra::FlagError("c", "must be positive");
    if (o.threads < 0) return electra::FlagError("threads", "must be >= 0");
    auto result = electra::RunProbe(o);
    if (!result.ok()) return result.status();
    std::fputs(electra::ProbeTable(*result).c_str(), stdout);
    std::string json = absl::GetFlag(FLAGS_json);
    if (!json.empty()) return electra::WriteFileAtomically(json, electra::ProbeJson(*result));
    return absl::OkStatus();
  });
}
