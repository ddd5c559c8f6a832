// Pretraining step throughput on this machine's device: steps/s and tokens/s of a full ELECTRA
// step (generator + sampling + discriminator, backward, AdamW) for the tiny and small presets,
// batch 32 (tiny) / 16 (small) x 128 tokens, synthetic batches.
//   bazel run -c opt //train:pretrain_benchmark
#include <torch/torch.h>

#include "benchmark/benchmark.h"
#include "model/electra.h"
#include "train/adamw.h"
#include "train/electra_step.h"

namespace electra {
namespace {

void BM_PretrainStep(benchmark::State& state, const std::string& size, int64_t batch) {
  const int64_t T = 128, P = 19, V = 30522;
  torch::manual_seed(0);
  ElectraConfig dc = *DiscriminatorPreset(size, V);
  Discriminator d(dc);
  Generator g(GeneratorConfig(dc, DefaultGeneratorFraction(size)), d->electra->embeddings);
  std::vector<std::pair<std::string, torch::Tensor>> named;
  for (const auto& p : d->named_parameters()) named.emplace_back("d/" + p.key(), p.value());
  for (const auto& p : g->named_parameters()) named.emplace_back("g/" + p.key(), p.value());
  FlatAdamW opt(DecayGroups(named, 0.01), AdamWOptions{});
  DeviceBatch b;
  b.input_ids = torch::randint(1000, V, {batch, T}, torch::kLong);
  b.masked_positions = torch::randint(1, T, {batch, P}, torch::kLong);
  b.masked_ids = b.input_ids.scatter(1, b.masked_positions, 103);
  b.attention_mask = torch::ones({batch, T}, torch::kLong);
  b.token_type_ids = torch::zeros({batch, T}, torch::kLong);
  b.masked_weights = torch::ones({batch, P});
  b.masked_labels = b.input_ids.gather(1, b.masked_positions);
  torch::Tensor lr = torch::tensor(1e-4f);
  auto step = [&]() {
    opt.ZeroGrad();
    StepStats s = ElectraForward(g, d, b, torch::rand({batch, P, V}), ObjectiveOptions{});
    auto loss = s.gen_sum / (batch * P) + 50 * s.disc_sum / (batch * T);
    loss.backward();
    opt.Step(lr);
    return loss;
  };
  step();  // warm-up: allocations, first-touch of the buffers
  for (auto _ : state) {
    benchmark::DoNotOptimize(step().item<float>());
  }
  state.counters["steps/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["tokens/s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * batch * T), benchmark::Counter::kIsRate);
  int64_t params = 0;
  for (const auto& group : opt.groups()) {
    for (const auto& p : group.params) params += p.numel();
  }
  state.counters["params"] = static_cast<double>(params);
}

BENCHMARK_CAPTURE(BM_PretrainStep, tiny_b32, std::string("tiny"), 32)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(10);
BENCHMARK_CAPTURE(BM_PretrainStep, small_b16, std::string("small"), 16)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(5);

}  // namespace
}  // namespace electra

BENCHMARK_MAIN();
