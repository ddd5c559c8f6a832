// finetune: fine-tunes a discriminator on one GLUE task (N runs) and writes dev metrics and
// predictions and test outputs under OUTPUT_DIR/<task>/run-K/.
#include "absl/flags/flag.h"
#include "base/tool_main.h"
#include "glue/finetuner.h"

ABSL_FLAG(std::string, task, "", "GLUE task folder name: CoLA, SST-2, MRPC, STS-B, QQP, MNLI, QNLI, RTE, WNLI (or --task_spec).");
ABSL_FLAG(std::string, data_dir, "", "GLUE data directory (DATA_DIR/<task>/{train,dev,test}.tsv). Required with --task.");
ABSL_FLAG(std::string, task_spec, "",
          "Your own task instead of a GLUE one: a JSON file naming its train/dev/test files (TSV, CSV, JSON Lines, or "
          "CoNLL-style for tagging), columns, type (classification, regression, tagging), labels and metric "
          "(README, 'Your own task').");
ABSL_FLAG(std::string, model, "", "Discriminator directory (pretrain checkpoint or HF save_pretrained). Required.");
ABSL_FLAG(std::string, output_dir, "", "Results directory. Required.");
ABSL_FLAG(std::string, vocab, "", "vocab.txt (default: MODEL/vocab.txt).");
ABSL_FLAG(bool, lowercase, true,
          "Lowercase and strip accents (uncased vocabularies). Unset: as MODEL/tokenizer_config.json says "
          "(do_lower_case), true when it says nothing. Contradicting it is an error unless --force_casing.");
ABSL_FLAG(bool, force_casing, false, "Let --lowercase override the model directory's do_lower_case.");
ABSL_FLAG(double, weight_decay, 0.01,
          "Decoupled weight decay, not on LayerNorm weights and biases (official 0.01; the PyTorch replication 0).");
ABSL_FLAG(std::string, loss_reduction, "sum",
          "The training loss over a batch: sum (the official code) or mean (the PyTorch replication).");
ABSL_FLAG(bool, scale_regression_targets, true,
          "Train STS-B on label / 5 as the official code (predictions are written back on the 0-5 scale); "
          "false: on the raw score.");
ABSL_FLAG(int, runs, 1, "Fine-tuning runs (seeds --seed, --seed+1, ...); finished runs are skipped.");
ABSL_FLAG(uint64_t, seed, 42, "Seed of the first run.");
ABSL_FLAG(int, epochs, -1, "Epochs (default 3; 10 for RTE and STS-B).");
ABSL_FLAG(double, lr, -1, "Peak learning rate (default 3e-4 small, 1e-4 base, 5e-5 large).");
ABSL_FLAG(double, layer_decay, -1, "Layer-wise learning-rate decay (default 0.8; 0.9 large).");
ABSL_FLAG(bool, official_layer_depth, true,
          "Use the official depth rule (head at L+2: an extra decay factor below the head); false: L+1.");
ABSL_FLAG(int, batch_size, 32, "Training batch size.");
ABSL_FLAG(int, max_seq_length, 128, "Maximum tokens per example (pairs are cut longest-first).");
ABSL_FLAG(double, warmup_fraction, 0.1, "Warmup as a fraction of the training steps.");
ABSL_FLAG(double, dropout, 0.1, "Dropout in the encoder and the head.");
ABSL_FLAG(int64_t, train_limit, -1, "Use only the first N training rows (smoke tests).");
ABSL_FLAG(int64_t, dev_limit, -1, "Use only the first N dev rows.");
ABSL_FLAG(int64_t, test_limit, -1, "Use only the first N test rows.");
ABSL_FLAG(std::string, device, "auto", "auto, cpu or cuda.");
ABSL_FLAG(std::string, precision, "auto",
          "auto (bf16 autocast on CUDA and on CPUs with native bf16: avx512_bf16 or amx_bf16; fp32 elsewhere), fp32 "
          "or bf16.");
ABSL_FLAG(bool, testing_emulated_bf16, false, "Testing hook: allow bf16 on a CPU without native bf16 (slow).");
ABSL_FLAG(bool, save_model, false, "Also save the fine-tuned weights (RUN/model/).");
ABSL_FLAG(bool, skip_malformed, false, "Skip and count malformed TSV rows instead of stopping.");
ABSL_FLAG(int, threads, 0, "Intra-op CPU threads (0: default).");

namespace {

// True when the command line names the flag (--name, --name=..., --noname), whatever its value:
// an explicit --lowercase=true must still be checked against the model's casing.
bool NamedOnCommandLine(int argc, char** argv, const std::string& name) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--") break;
    for (const std::string& form : {"--" + name, "-" + name, "--no" + name, "-no" + name}) {
      if (a == form || a.rfind(form + "=", 0) == 0) return true;
    }
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  const bool lowercase_given = NamedOnCommandLine(argc, argv, "lowercase");
  electra::ParseToolFlags(argc, argv,
                          "finetune (--task=NAME --data_dir=DIR | --task_spec=FILE) --model=MODEL_DIR --output_dir=DIR [--runs=N] "
                          "[--seed=S] [--epochs=E] [--lr=X] [--layer_decay=D] [--batch_size=B] [--max_seq_length=L]");
  return electra::RunTool("finetune", [lowercase_given]() -> absl::Status {
    electra::FinetuneOptions o;
    o.task = absl::GetFlag(FLAGS_task);
    o.data_dir = absl::GetFlag(FLAGS_data_dir);
    o.model_dir = absl::GetFlag(FLAGS_model);
    o.output_dir = absl::GetFlag(FLAGS_output_dir);
    o.task_spec = absl::GetFlag(FLAGS_task_spec);
    if (!o.task_spec.empty()) {
      if (!o.task.empty() || !o.data_dir.empty()) {
        return electra::FlagError("task_spec", "describes the whole task: give it without --task and --data_dir");
      }
    } else {
      if (o.task.empty()) return electra::FlagError("task", "is required (a GLUE task; or --task_spec=FILE for your own)");
      if (o.data_dir.empty()) return electra::FlagError("data_dir", "is required");
    }
    if (o.model_dir.empty()) return electra::FlagError("model", "is required");
    if (o.output_dir.empty()) return electra::FlagError("output_dir", "is required");
    o.vocab = absl::GetFlag(FLAGS_vocab);
    if (lowercase_given) o.lowercase = absl::GetFlag(FLAGS_lowercase);
    o.force_casing = absl::GetFlag(FLAGS_force_casing);
    o.weight_decay = absl::GetFlag(FLAGS_weight_decay);
    o.loss_reduction = absl::GetFlag(FLAGS_loss_reduction);
    o.scale_regression_targets = absl::GetFlag(FLAGS_scale_regression_targets);
    o.runs = absl::GetFlag(FLAGS_runs);
    o.seed = absl::GetFlag(FLAGS_seed);
    o.epochs = absl::GetFlag(FLAGS_epochs);
    o.lr = absl::GetFlag(FLAGS_lr);
    o.layer_decay = absl::GetFlag(FLAGS_layer_decay);
    o.official_layer_depth = absl::GetFlag(FLAGS_official_layer_depth);
    o.batch_size = absl::GetFlag(FLAGS_batch_size);
    o.max_seq_length = absl::GetFlag(FLAGS_max_seq_length);
    o.warmup_fraction = absl::GetFlag(FLAGS_warmup_fraction);
    o.dropout = absl::GetFlag(FLAGS_dropout);
    o.train_limit = absl::GetFlag(FLAGS_train_limit);
    o.dev_limit = absl::GetFlag(FLAGS_dev_limit);
    o.test_limit = absl::GetFlag(FLAGS_test_limit);
    o.device = absl::GetFlag(FLAGS_device);
    o.precision = absl::GetFlag(FLAGS_precision);
    o.testing_emulated_bf16 = absl::GetFlag(FLAGS_testing_emulated_bf16);
    o.save_model = absl::GetFlag(FLAGS_save_model);
    o.skip_malformed = absl::GetFlag(FLAGS_skip_malformed);
    o.threads = absl::GetFlag(FLAGS_threads);
    if (o.warmup_fraction < 0 || o.warmup_fraction > 1) return electra::FlagError("warmup_fraction", "must be in [0, 1]");
    if (o.dropout < 0 || o.dropout >= 1) return electra::FlagError("dropout", "must be in [0, 1)");
    if (o.precision != "auto" && o.precision != "fp32" && o.precision != "bf16") {
      return electra::FlagError("precision", "must be auto, fp32 or bf16");
    }
    if (o.threads < 0) return electra::FlagError("threads", "must be >= 0");
    if (!(o.weight_decay >= 0)) return electra::FlagError("weight_decay", "must be >= 0");
    if (o.loss_reduction != "sum" && o.loss_reduction != "mean") {
      return electra::FlagError("loss_reduction", "must be sum (official) or mean (the PyTorch replication)");
    }
    return electra::RunFinetuning(o);
  });
}
