// predict: labels new input with a fine-tuned model (finetune --save_model's RUN/model/).
#include "absl/flags/flag.h"
#include "base/tool_main.h"
#include "glue/predictor.h"

ABSL_FLAG(std::string, model, "", "A fine-tuned model directory (finetune --save_model: RUN/model/). Required.");
ABSL_FLAG(std::string, input, "", "The file to label: TSV, CSV, JSON Lines, or CoNLL-style for a tagging model. Required.");
ABSL_FLAG(std::string, output, "", "Where the predictions go (default: stdout).");
ABSL_FLAG(std::string, format, "",
          "The input's format: tsv, csv, jsonl or conll (default: by its extension, else the task's).");
ABSL_FLAG(std::string, text_a, "", "The column of the first text (default: the task's).");
ABSL_FLAG(std::string, text_b, "", "The column of the second text (default: the task's; none: absent).");
ABSL_FLAG(std::string, id, "", "The id column (default: the task's; none: row numbers).");
ABSL_FLAG(std::string, header, "auto", "Whether a TSV/CSV input has a header line: auto (as the task), true or false.");
ABSL_FLAG(std::string, task, "", "Check that the model was fine-tuned for this GLUE task.");
ABSL_FLAG(std::string, task_spec, "", "Check that the model was fine-tuned for this task (a finetune --task_spec file).");
ABSL_FLAG(int, batch_size, 128, "Examples per batch (the fine-tuner's evaluation batch size).");
ABSL_FLAG(std::string, device, "auto", "auto, cpu or cuda.");
ABSL_FLAG(std::string, precision, "auto",
          "auto (bf16 on CUDA and on CPUs with native bf16; fp32 elsewhere), fp32 or bf16.");
ABSL_FLAG(bool, testing_emulated_bf16, false, "Testing hook: allow bf16 on a CPU without native bf16 (slow).");
ABSL_FLAG(int, threads, 0, "Intra-op CPU threads (0: default).");
ABSL_FLAG(bool, quiet, false, "No progress lines.");

int main(int argc, char** argv) {
  electra::ParseToolFlags(argc, argv, "predict --model=RUN/model --input=FILE [--output=FILE] [--format=tsv|csv|jsonl|conll]");
  return electra::RunTool("predict", []() -> absl::Status {
    electra::PredictOptions o;
    o.model_dir = absl::GetFlag(FLAGS_model);
    o.input = absl::GetFlag(FLAGS_input);
    if (o.model_dir.empty()) return electra::FlagError("model", "is required");
    if (o.input.empty()) return electra::FlagError("input", "is required");
    o.output = absl::GetFlag(FLAGS_output);
    o.format = absl::GetFlag(FLAGS_format);
    o.text_a = absl::GetFlag(FLAGS_text_a);
    o.text_b = absl::GetFlag(FLAGS_text_b);
    o.id = absl::GetFlag(FLAGS_id);
    o.header = absl::GetFlag(FLAGS_header);
    o.task = absl::GetFlag(FLAGS_task);
    o.task_spec = absl::GetFlag(FLAGS_task_spec);
    if (!o.task.empty() && !o.task_spec.empty()) return electra::FlagError("task", "give --task or --task_spec, not both");
    o.batch_size = absl::GetFlag(FLAGS_batch_size);
    o.device = absl::GetFlag(FLAGS_device);
    o.precision = absl::GetFlag(FLAGS_precision);
    if (o.precision != "auto" && o.precision != "fp32" && o.precision != "bf16") {
      return electra::FlagError("precision", "must be auto, fp32 or bf16");
    }
    o.testing_emulated_bf16 = absl::GetFlag(FLAGS_testing_emulated_bf16);
    o.threads = absl::GetFlag(FLAGS_threads);
    if (o.threads < 0) return electra::FlagError("threads", "must be >= 0");
    o.quiet = absl::GetFlag(FLAGS_quiet);
    return electra::RunPredict(o);
  });
}
