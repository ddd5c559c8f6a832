// Tokenizer throughput on real text (the bundled books): MB of UTF-8 per second, one thread
// and several. Run: bazel run -c opt //tokenizer:tokenizer_benchmark
#include <cstdlib>
#include <string>
#include <vector>

#include "base/file_util.h"
#include "benchmark/benchmark.h"
#include "tokenizer/bert_tokenizer.h"
#include "tokenizer/encode.h"

namespace electra {
namespace {

const std::string& BookText() {
  static const std::string* text = [] {
    auto files = ExpandFileList("data/corpus/gutenberg/*.txt");
    auto* all = new std::string;
    if (!files.ok()) std::abort();
    for (const auto& f : *files) all->append(*ReadFile(f));
    return all;
  }();
  return *text;
}

const BertTokenizer& Uncased() {
  static auto* t = BertTokenizer::FromFile("data/vocab/bert-base-uncased-vocab.txt", {}).value().release();
  return *t;
}

void BM_TokenizeBooks(benchmark::State& state) {
  const std::string& text = BookText();
  const BertTokenizer& tokenizer = Uncased();
  std::vector<int32_t> ids;
  for (auto _ : state) {
    ids.clear();
    tokenizer.Tokenize(text, &ids);
    benchmark::DoNotOptimize(ids.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * text.size());
  state.counters["tokens"] = static_cast<double>(ids.size());
}
BENCHMARK(BM_TokenizeBooks)->Unit(benchmark::kMillisecond);

void BM_EncodeLines(benchmark::State& state) {
  const std::string& text = BookText();
  const BertTokenizer& tokenizer = Uncased();
  std::string out;
  for (auto _ : state) {
    out.clear();
    EncodeLines(tokenizer, text, static_cast<int>(state.range(0)), &out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * text.size());
}
BENCHMARK(BM_EncodeLines)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_NormalizeBooks(benchmark::State& state) {
  const std::string& text = BookText();
  const BertNormalizer& normalizer = BertNormalizer::Get({});
  for (auto _ : state) {
    std::string n = normalizer.Normalize(text);
    benchmark::DoNotOptimize(n.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * text.size());
}
BENCHMARK(BM_NormalizeBooks)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace electra

BENCHMARK_MAIN();
