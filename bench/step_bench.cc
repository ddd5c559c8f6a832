// Our ELECTRA pretraining step throughput: the real TrainStep (generator, Gumbel sampling,
// discriminator, backward, clipping, AdamW; CUDA graph and bf16 autocast on a GPU) on synthetic
// batches with the official masking shapes. Prints one JSON line: ms/step (median), tokens/s,
// peak GPU memory, model FLOPs per step and MFU.
//   step_bench --size=small --batch=128 --seq=128 --steps=50 --warmup=10 --device=cuda --precision=bf16
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_format.h"
#include "base/tool_main.h"
#include "model/electra.h"
#include "train/adamw.h"
#include "train/device.h"
#include "train/distributed.h"
#include "train/masking.h"
#include "train/train_step.h"

#ifdef ELECTRA_WITH_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#endif

ABSL_FLAG(std::string, size, "small", "Model size.");
ABSL_FLAG(int, batch, 128, "Batch size.");
ABSL_FLAG(int, seq, 128, "Sequence length.");
ABSL_FLAG(int, steps, 50, "Timed steps.");
ABSL_FLAG(int, warmup, 10, "Untimed steps first.");
ABSL_FLAG(std::string, device, "auto", "cpu, cuda or auto.");
ABSL_FLAG(std::string, precision, "auto", "fp32, bf16, fp16 or auto (bf16 on CUDA).");
ABSL_FLAG(bool, cuda_graph, true, "Capture the step in a CUDA graph.");
ABSL_FLAG(double, peak_tflops, 989.0, "Peak dense bf16 TFLOP/s of the card for MFU (H100/H200 SXM: 989).");

namespace electra {
namespace {

// Matrix-multiply FLOPs of one training step (forward x3 for forward + backward).
double StepFlops(const ElectraConfig& d, const ElectraConfig& g, double B, double T, double P) {
  auto tower = [&](const ElectraConfig& c) {
    double H = c.hidden_size, F = c.intermediate_size, E = c.embedding_size;
    double per_layer = 2 * T * (4 * H * H + 2 * H * F) + 2 * 2 * T * T * H;
    double project = E != H ? 2 * T * E * H : 0;
    return c.num_hidden_layers * per_layer + project;
  };
  double disc = tower(d) + 2 * T * d.hidden_size * d.hidden_size + 2 * T * d.hidden_size;
  double gen = tower(g) + 2 * P * (g.hidden_size * g.embedding_size + g.embedding_size * g.vocab_size);
  return 3 * B * (disc + gen);
}

absl::Status Run() {
  auto device = ResolveDevice(absl::GetFlag(FLAGS_device));
  if (!device.ok()) return device.status();
  std::string precision = absl::GetFlag(FLAGS_precision);
  if (precision == "auto") precision = device->is_cuda() ? "bf16" : "fp32";
  const int B = absl::GetFlag(FLAGS_batch), T = absl::GetFlag(FLAGS_seq);
  const int P = OfficialMaxPredictions(0.15, T);
  torch::manual_seed(0);
  auto dc = DiscriminatorPreset(absl::GetFlag(FLAGS_size), 30522);
  if (!dc.ok()) return dc.status();
  ElectraConfig gc = GeneratorConfig(*dc, DefaultGeneratorFraction(absl::GetFlag(FLAGS_size)));
  Discriminator d(*dc);
  Generator g(gc, d->electra->embeddings);
  InitializeWeights(*d, 0.02, InitStyle::kTruncatedNormal);
  InitializeWeights(*g, 0.02, InitStyle::kTruncatedNormal);
  d->to(*device);
  g->to(*device);
  d->train();
  g->train();
  std::vector<std::pair<std::string, torch::Tensor>> named;
  for (const auto& p : d->named_parameters()) named.emplace_back("d/" + p.key(), p.value());
  for (const auto& p : g->named_parameters()) named.emplace_back("g/" + p.key(), p.value());
  FlatAdamW opt(DecayGroups(named, 0.01), AdamWOptions{});
  DistributedContext dist;
  TrainStepOptions to;
  to.global_batch = B;
  to.precision = precision;
  to.cuda_graph = absl::GetFlag(FLAGS_cuda_graph);
  TrainStep step(g, d, &opt, &dist, *device, to);

  // Synthetic batches, masked the official way.
  MaskingOptions mo;
  mo.max_predictions = P;
  std::vector<MaskedBatch> batches;
  for (int k = 0; k < 4; ++k) {
    StreamBatch sb;
    for (int i = 0; i < B; ++i) {
      PretrainingExample e;
      auto ids = torch::randint(1000, 30000, {T}, torch::kLong);
      for (int t = 0; t < T; ++t) {
        e.input_ids.push_back(t == 0 ? 101 : (t == T - 1 ? 102 : static_cast<int32_t>(ids[t].item<int64_t>())));
        e.input_mask.push_back(1);
        e.segment_ids.push_back(t > T / 2);
      }
      sb.examples.push_back(e);
      sb.positions.push_back(k * B + i);
    }
    MaskedBatch mb = MaskBatch(sb, mo);
    if (device->is_cuda()) {
      for (torch::Tensor* t : {&mb.input_ids, &mb.masked_ids, &mb.attention_mask, &mb.token_type_ids,
                               &mb.masked_positions, &mb.masked_weights, &mb.masked_labels}) {
        *t = t->pin_memory();
      }
    }
    batches.push_back(mb);
  }
  auto sync = [&]() {
    if (device->is_cuda()) torch::cuda::synchronize();
  };
  const int warmup = absl::GetFlag(FLAGS_warmup), steps = absl::GetFlag(FLAGS_steps);
#ifdef ELECTRA_WITH_CUDA
  // Peak memory over warm-up too: a CUDA graph allocates its private pool while capturing.
  if (device->is_cuda()) c10::cuda::CUDACachingAllocator::resetPeakStats(device->index());
#endif
  for (int i = 0; i < warmup; ++i) step.Run(batches[i % batches.size()], i, 1e-4);
  sync();
  std::vector<double> ms;
  for (int i = 0; i < steps; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    auto stats = step.Run(batches[i % batches.size()], warmup + i, 1e-4);
    sync();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    if (i == steps - 1 && !std::isfinite(stats["loss"].item<float>())) {
      return absl::InternalError("the loss is not finite");
    }
  }
  std::sort(ms.begin(), ms.end());
  double median = ms[ms.size() / 2];
  double peak = 0;
#ifdef ELECTRA_WITH_CUDA
  if (device->is_cuda()) {
    auto s = c10::cuda::CUDACachingAllocator::getDeviceStats(device->index());
    peak = static_cast<double>(s.allocated_bytes[0].peak);
  }
#endif
  double flops = StepFlops(*dc, gc, B, T, P);
  double achieved = flops / (median / 1e3);
  std::printf(
      "{\"impl\": \"ours\", \"mode\": \"%s\", \"size\": \"%s\", \"batch\": %d, \"seq\": %d, \"precision\": \"%s\", "
      "\"ms_per_step\": %.3f, \"tokens_per_s\": %.0f, \"peak_mem_gib\": %.3f, \"tflops\": %.2f, \"mfu\": %.4f}\n",
      step.graph_active() ? "cuda_graph" : "eager", absl::GetFlag(FLAGS_size).c_str(), B, T, precision.c_str(), median,
      B * T / (median / 1e3), peak / (1 << 30), achieved / 1e12, achieved / (absl::GetFlag(FLAGS_peak_tflops) * 1e12));
  if (!step.graph_note().empty()) std::fprintf(stderr, "step_bench: %s\n", step.graph_note().c_str());
  return absl::OkStatus();
}

}  // namespace
}  // namespace electra

int main(int argc, char** argv) {
  electra::ParseToolFlags(argc, argv, "step_bench [--size=small] [--batch=128] [--seq=128] [--device=cuda] [--precision=bf16]");
  return electra::RunTool("step_bench", electra::Run);
}
