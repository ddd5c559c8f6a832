// score_checkpoint: the pretraining task on held-out shards, deterministic for a seed.
#include <cstdio>

#include "absl/flags/flag.h"
#include "base/file_util.h"
#include "base/tool_main.h"
#include "train/scorer.h"

ABSL_FLAG(std::string, checkpoint, "", "step-N directory, or a run directory (its newest checkpoint). Required.");
ABSL_FLAG(std::string, data, "", "Held-out shard files: a glob or FILE[,FILE...]. Required.");
ABSL_FLAG(std::string, generator, "",
          "Make the replacements with this checkpoint's generator (or a generator model directory), so that "
          "discriminators are compared on the same inputs. Default: the checkpoint's own.");
ABSL_FLAG(int64_t, max_examples, 10000, "Score the first N examples of the shards (in file order).");
ABSL_FLAG(int, batch_size, 128, "Examples per forward pass.");
ABSL_FLAG(uint64_t, seed, 1, "Seed of the masks and the sampling noise.");
ABSL_FLAG(double, mask_prob, -1, "Masking probability (default: the checkpoint's).");
ABSL_FLAG(std::string, mask_sampling, "", "with_replacement or without_replacement (default: the checkpoint's).");
ABSL_FLAG(double, temperature, -1, "Sampling temperature (default: the checkpoint's).");
ABSL_FLAG(std::string, json, "", "Also write the result as JSON to this file.");
ABSL_FLAG(std::string, format, "text", "What stdout gets: text (one line) or json.");
ABSL_FLAG(std::string, device, "auto", "auto, cpu or cuda.");
ABSL_FLAG(std::string, precision, "auto",
          "auto (bf16 autocast on CUDA and on CPUs with native bf16; fp32 elsewhere), fp32 or bf16. Sampling and the "
          "metrics are fp32 either way.");
ABSL_FLAG(bool, testing_emulated_bf16, false, "Testing hook: allow bf16 on a CPU without native bf16 (slow).");
ABSL_FLAG(int, threads, 0, "Intra-op CPU threads (0: the library's default).");

int main(int argc, char** argv) {
  electra::ParseToolFlags(argc, argv,
                          "score_checkpoint --checkpoint=DIR --data=GLOB [--generator=DIR] [--max_examples=N] "
                          "[--seed=S] [--json=PATH] [--format=text|json]\n"
                          "Scores a pretraining checkpoint on held-out shards: generator loss and accuracy, "
                          "discriminator loss against H(p), ROC AUC, precision and recall on replaced tokens.");
  return electra::RunTool("score_checkpoint", []() -> absl::Status {
    electra::ScoreOptions o;
    o.checkpoint = absl::GetFlag(FLAGS_checkpoint);
    o.data = absl::GetFlag(FLAGS_data);
    o.generator = absl::GetFlag(FLAGS_generator);
    o.max_examples = absl::GetFlag(FLAGS_max_examples);
    o.batch_size = absl::GetFlag(FLAGS_batch_size);
    o.seed = absl::GetFlag(FLAGS_seed);
    o.mask_prob = absl::GetFlag(FLAGS_mask_prob);
    o.mask_sampling = absl::GetFlag(FLAGS_mask_sampling);
    o.temperature = absl::GetFlag(FLAGS_temperature);
    o.device = absl::GetFlag(FLAGS_device);
    o.threads = absl::GetFlag(FLAGS_threads);
    o.precision = absl::GetFlag(FLAGS_precision);
    o.testing_emulated_bf16 = absl::GetFlag(FLAGS_testing_emulated_bf16);
    if (o.precision != "auto" && o.precision != "fp32" && o.precision != "bf16") {
      return electra::FlagError("precision", "must be auto, fp32 or bf16");
    }
    std::string format = absl::GetFlag(FLAGS_format);
    if (o.checkpoint.empty()) return electra::FlagError("checkpoint", "is required");
    if (o.data.empty()) return electra::FlagError("data", "is required");
    if (format != "text" && format != "json") return electra::FlagError("format", "must be text or json");
    if (o.mask_prob != -1 && !(o.mask_prob > 0 && o.mask_prob < 1)) {
      return electra::FlagError("mask_prob", "must be in (0, 1)");
    }
    if (o.threads < 0) return electra::FlagError("threads", "must be >= 0");
    absl::StatusOr<electra::ScoreResult> r = electra::ScoreCheckpoint(o);
    if (!r.ok()) return r.status();
    std::string json = electra::ScoreToJson(*r);
    std::string path = absl::GetFlag(FLAGS_json);
    if (!path.empty()) {
      absl::Status s = electra::WriteFileAtomically(path, json);
      if (!s.ok()) return s;
    }
    std::fputs(format == "json" ? json.c_str() : (electra::ScoreToLine(*r) + "\n").c_str(), stdout);
    return absl::OkStatus();
  });
}
