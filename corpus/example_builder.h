// Packs tokenized sentences into pretraining examples exactly as the official ELECTRA
// ExampleBuilder (build_pretraining_dataset.py) does:
//  - sentences are added until the example holds >= target_length tokens; a document end
//    flushes what is pending, so no example crosses documents;
//  - with probability 0.1 the first segment takes everything; otherwise a sentence goes to
//    segment A if A is empty, or len(A) + len(sentence) < (target_length - 3) / 2, or (B is
//    empty, A is under that target and a coin flip says so); otherwise to B;
//  - A is cut to max_len - 2 tokens, B to max(0, max_len - len(A) - 3);
//  - [CLS] A [SEP] (B [SEP]), segment ids 0 / 1, padded with 0 to max_len;
//  - after each example the next target length is uniform in [5, max_len] with probability
//    0.05, else max_len.
#ifndef ELECTRA_CORPUS_EXAMPLE_BUILDER_H_
#define ELECTRA_CORPUS_EXAMPLE_BUILDER_H_

#include <cstdint>
#include <functional>
#include <random>
#include <vector>

#include "absl/types/span.h"
#include "corpus/pretraining_example.h"

namespace electra {

// Random draws of the builder (Python's random.random() / randint in the official code).
class BuilderRandom {
 public:
  explicit BuilderRandom(uint64_t seed) : engine_(seed) {}
  // Returns the given values in order instead of random ones (tests).
  static BuilderRandom Scripted(std::vector<double> uniforms, std::vector<int> ints) {
    BuilderRandom r(0);
    r.scripted_ = true;
    r.uniforms_ = std::move(uniforms);
    r.ints_ = std::move(ints);
    return r;
  }
  double Uniform() {  // [0, 1)
    if (scripted_) return uniforms_.at(next_uniform_++);
    return static_cast<double>(engine_() >> 11) * 0x1.0p-53;
  }
  int UniformInt(int lo, int hi) {  // [lo, hi]
    if (scripted_) return ints_.at(next_int_++);
    return lo + static_cast<int>(engine_() % static_cast<uint64_t>(hi - lo + 1));
  }
  size_t uniforms_used() const { return next_uniform_; }

 private:
  std::mt19937_64 engine_;
  bool scripted_ = false;
  std::vector<double> uniforms_;
  std::vector<int> ints_;
  size_t next_uniform_ = 0, next_int_ = 0;
};

class ExampleBuilder {
 public:
  ExampleBuilder(int max_length, int32_t cls_id, int32_t sep_id, uint64_t seed)
      : ExampleBuilder(max_length, cls_id, sep_id, BuilderRandom(seed)) {}
  ExampleBuilder(int max_length, int32_t cls_id, int32_t sep_id, BuilderRandom random);

  // Adds one tokenized line. A blank line ends the document when something is pending (it
  // produces the pending example). Returns true and fills `out` when an example is complete.
  // `tokens` must stay valid until the example holding them is returned (the builder keeps
  // views, not copies).
  bool AddLine(absl::Span<const int32_t> tokens, bool blank, PretrainingExample* out);
  // Flushes the pending sentences as an example at a document end.
  bool EndDocument(PretrainingExample* out);

  int target_length() const { return target_length_; }
  const BuilderRandom& random() const { return random_; }

 private:
  void CreateExample(PretrainingExample* out);

  int max_length_;
  int target_length_;
  int32_t cls_id_, sep_id_;
  BuilderRandom random_;
  std::vector<absl::Span<const int32_t>> sentences_;
  std::vector<uint8_t> in_first_;  // per pending sentence: goes to segment A
  int current_length_ = 0;
};

}  // namespace electra

#endif  // ELECTRA_CORPUS_EXAMPLE_BUILDER_H_
