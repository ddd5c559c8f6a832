// pretrain: ELECTRA pretraining (generator + discriminator, replaced-token detection).
#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "base/tool_main.h"
#include "train/pretrainer.h"

ABSL_FLAG(std::string, data, "", "Shard files: a glob or FILE[,FILE...] (shard_corpus output). Required.");
ABSL_FLAG(std::string, output_dir, "", "Run directory: checkpoints/, metrics.jsonl, tensorboard/. Required.");
ABSL_FLAG(std::string, vocab, "", "vocab.txt (default: the one the shard spec names).");
ABSL_FLAG(std::string, objective, "electra",
          "electra (replaced-token detection: generator + discriminator) or mlm (BERT's masked LM alone: one encoder "
          "the discriminator's size, loss at the masked positions; checkpoints hold generator/ only).");
ABSL_FLAG(std::string, size, "small", "Model size: tiny, small, base or large (official shapes).");
ABSL_FLAG(int, layers, -1,
          "Encoder layers of the discriminator and the generator (default: the size's own; e.g. 8 for a deeper mini).");
ABSL_FLAG(int64_t, steps, -1, "Total updates (schedule length). Default: the size's official value.");
ABSL_FLAG(int64_t, batch_size, -1, "Global batch (examples per update). Default: official.");
ABSL_FLAG(double, lr, -1, "Peak learning rate. Default: official (5e-4 small, 2e-4 base/large).");
ABSL_FLAG(int64_t, warmup_steps, -1, "Linear warmup steps. Default: 10000 (100 for tiny).");
ABSL_FLAG(uint64_t, seed, 42, "Seed of initialization, masking, sampling and data order.");
ABSL_FLAG(int64_t, save_every, 1000, "Checkpoint every N steps (and at milestones and the end).");
ABSL_FLAG(int, keep, 3, "Keep the newest K checkpoints (plus 6.25/12.5/25/50/100% milestones).");
ABSL_FLAG(int64_t, log_every, 100, "Log every N steps.");
ABSL_FLAG(int64_t, stop_at, -1, "End this run after step K (with a checkpoint), keeping the schedule.");
ABSL_FLAG(std::string, mask_style, "official", "official (exact count, 85% [MASK]) or bernoulli.");
ABSL_FLAG(std::string, mask_sampling, "with_replacement",
          "Official masking: with_replacement (the official tf.random.categorical draw; a position drawn twice "
          "gets the integer mean of its two samples) or without_replacement (k distinct positions).");
ABSL_FLAG(std::string, dense_init, "official",
          "official: embeddings_project and dense_prediction Glorot-uniform (tf.layers.dense's default); "
          "normal: every weight from --init with std 0.02, as HF.");
ABSL_FLAG(bool, adam_bias_correction, false, "Adam bias correction (the official optimizer has none).");
ABSL_FLAG(double, mask_prob, -1, "Masking probability. Default: 0.15 (0.25 large).");
ABSL_FLAG(double, generator_fraction, -1, "Generator hidden size / discriminator's. Default: 1/4 (1/3 base).");
ABSL_FLAG(double, disc_weight, 50.0, "Weight of the discriminator loss.");
ABSL_FLAG(double, temperature, 1.0, "Sampling temperature.");
ABSL_FLAG(double, dropout, -1, "Dropout (default 0.1; 0 for exactly reproducible multi-process runs).");
ABSL_FLAG(double, weight_decay, 0.01, "AdamW weight decay (not on LayerNorm or biases).");
ABSL_FLAG(std::string, init, "truncated_normal", "Weight init: truncated_normal (official) or normal (HF).");
ABSL_FLAG(std::string, device, "auto", "auto, cpu or cuda.");
ABSL_FLAG(std::string, precision, "auto",
          "auto (bf16 autocast on CUDA and on CPUs with native bf16, i.e. avx512_bf16 or amx_bf16; fp32 on other "
          "CPUs), fp32, bf16 or fp16 (CUDA only).");
ABSL_FLAG(bool, testing_emulated_bf16, false,
          "Testing hook: allow --precision=bf16 on a CPU without native bf16 (same numerics, much slower).");
ABSL_FLAG(int, profile_steps, 0,
          "Profile this many steps (after the first 5) with torch's profiler: operator self times per step, "
          "written to OUTPUT_DIR/profile.md and printed.");
ABSL_FLAG(int, accumulate, 1, "Split each update's batch into K micro-batches (same update).");
ABSL_FLAG(int64_t, shuffle_window, 10000, "Records shuffled together (bounded-memory shuffle).");
ABSL_FLAG(bool, skip_corrupt_records, false, "Skip corrupt records (counted) instead of stopping.");
ABSL_FLAG(int, max_nonfinite, 5, "Stop after this many NaN/Inf steps in a row (each is skipped).");
ABSL_FLAG(std::string, sampling_noise, "global",
          "global: noise for the whole global batch (results independent of world size); local: cheaper.");
ABSL_FLAG(bool, cuda_graph, true, "Capture the training step in a CUDA graph when possible.");
ABSL_FLAG(int, threads, 0, "Intra-op CPU threads (0: the library's default).");
ABSL_FLAG(std::string, testing_break_discriminator, "",
          "Testing hook: shuffle_labels or zero_lr breaks the discriminator on purpose (tests of the tests).");
ABSL_FLAG(std::string, inject_nan_steps, "", "Testing hook: A:B makes the loss NaN at steps [A, B).");

int main(int argc, char** argv) {
  electra::ParseToolFlags(argc, argv,
                          "pretrain --data=GLOB --output_dir=DIR [--size=tiny|small|base|large] [--layers=N] [--steps=N] "
                          "[--batch_size=B] [--lr=X] [--warmup_steps=N] [--seed=S] [--save_every=N] [--keep=K] "
                          "[--log_every=N] [--stop_at=K] [--mask_style=official|bernoulli] [--device=auto|cpu|cuda]\n"
                          "Rerunning the same command resumes from the newest complete checkpoint.");
  return electra::RunTool("pretrain", []() -> absl::Status {
    electra::PretrainOptions o;
    o.data = absl::GetFlag(FLAGS_data);
    o.output_dir = absl::GetFlag(FLAGS_output_dir);
    o.vocab = absl::GetFlag(FLAGS_vocab);
    o.size = absl::GetFlag(FLAGS_size);
    o.layers = absl::GetFlag(FLAGS_layers);
    o.objective = absl::GetFlag(FLAGS_objective);
    o.steps = absl::GetFlag(FLAGS_steps);
    o.batch_size = absl::GetFlag(FLAGS_batch_size);
    o.lr = absl::GetFlag(FLAGS_lr);
    o.warmup_steps = absl::GetFlag(FLAGS_warmup_steps);
    o.seed = absl::GetFlag(FLAGS_seed);
    o.save_every = absl::GetFlag(FLAGS_save_every);
    o.keep = absl::GetFlag(FLAGS_keep);
    o.log_every = absl::GetFlag(FLAGS_log_every);
    o.stop_at = absl::GetFlag(FLAGS_stop_at);
    std::string style = absl::GetFlag(FLAGS_mask_style);
    if (style == "official") {
      o.mask_style = electra::MaskStyle::kOfficial;
    } else if (style == "bernoulli") {
      o.mask_style = electra::MaskStyle::kBernoulli;
    } else {
      return electra::FlagError("mask_style", "must be official or bernoulli, not '" + style + "'");
    }
    std::string sampling = absl::GetFlag(FLAGS_mask_sampling);
    if (sampling != "with_replacement" && sampling != "without_replacement") {
      return electra::FlagError("mask_sampling", "must be with_replacement or without_replacement, not '" + sampling + "'");
    }
    o.mask_with_replacement = sampling == "with_replacement";
    std::string dense_init = absl::GetFlag(FLAGS_dense_init);
    if (dense_init != "official" && dense_init != "normal") {
      return electra::FlagError("dense_init", "must be official or normal, not '" + dense_init + "'");
    }
    o.glorot_layers = dense_init == "official";
    o.adam_bias_correction = absl::GetFlag(FLAGS_adam_bias_correction);
    o.mask_prob = absl::GetFlag(FLAGS_mask_prob);
    o.generator_fraction = absl::GetFlag(FLAGS_generator_fraction);
    o.disc_weight = absl::GetFlag(FLAGS_disc_weight);
    o.temperature = absl::GetFlag(FLAGS_temperature);
    o.dropout = absl::GetFlag(FLAGS_dropout);
    o.weight_decay = absl::GetFlag(FLAGS_weight_decay);
    std::string init = absl::GetFlag(FLAGS_init);
    if (init == "truncated_normal") {
      o.init = electra::InitStyle::kTruncatedNormal;
    } else if (init == "normal") {
      o.init = electra::InitStyle::kNormal;
    } else {
      return electra::FlagError("init", "must be truncated_normal or normal");
    }
    o.device = absl::GetFlag(FLAGS_device);
    o.precision = absl::GetFlag(FLAGS_precision);
    o.testing_emulated_bf16 = absl::GetFlag(FLAGS_testing_emulated_bf16);
    o.profile_steps = absl::GetFlag(FLAGS_profile_steps);
    if (o.profile_steps < 0) return electra::FlagError("profile_steps", "must be >= 0");
    o.accumulate = absl::GetFlag(FLAGS_accumulate);
    o.shuffle_window = absl::GetFlag(FLAGS_shuffle_window);
    o.skip_corrupt_records = absl::GetFlag(FLAGS_skip_corrupt_records);
    o.max_nonfinite = absl::GetFlag(FLAGS_max_nonfinite);
    std::string noise = absl::GetFlag(FLAGS_sampling_noise);
    if (noise != "global" && noise != "local") return electra::FlagError("sampling_noise", "must be global or local");
    o.global_noise = noise == "global";
    o.cuda_graph = absl::GetFlag(FLAGS_cuda_graph);
    o.threads = absl::GetFlag(FLAGS_threads);
    o.testing_break_discriminator = absl::GetFlag(FLAGS_testing_break_discriminator);
    std::string inject = absl::GetFlag(FLAGS_inject_nan_steps);
    if (!inject.empty()) {
      std::vector<std::string> parts = absl::StrSplit(inject, ':');
      if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &o.inject_nan_from) ||
          !absl::SimpleAtoi(parts[1], &o.inject_nan_until)) {
        return electra::FlagError("inject_nan_steps", "must be A:B");
      }
    }
    if (o.temperature <= 0) return electra::FlagError("temperature", "must be positive");
    if (o.disc_weight < 0) return electra::FlagError("disc_weight", "must be >= 0");
    if (o.weight_decay < 0) return electra::FlagError("weight_decay", "must be >= 0");
    if (o.threads < 0) return electra::FlagError("threads", "must be >= 0");
    return electra::RunPretraining(o);
  });
}
