#include "corpus/example_builder.h"

#include <algorithm>

namespace electra {

ExampleBuilder::ExampleBuilder(int max_length, int32_t cls_id, int32_t sep_id,
                               BuilderRandom random)
    : max_length_(max_length),
      target_length_(max_length),
      cls_id_(cls_id),
      sep_id_(sep_id),
      random_(std::move(random)) {}

bool ExampleBuilder::AddLine(absl::Span<const int32_t> tokens, bool blank,
                             PretrainingExample* out) {
  if (blank && current_length_ != 0) {
    CreateExample(out);
    return true;
  }
  // As in the official code, a blank line with nothing pending is kept as an empty sentence.
  sentences_.push_back(tokens);
  current_length_ += static_cast<int>(tokens.size());
  if (current_length_ >= target_length_) {
    CreateExample(out);
    return true;
  }
  return false;
}

bool ExampleBuilder::EndDocument(PretrainingExample* out) {
  return AddLine({}, /*blank=*/true, out);
}

void ExampleBuilder::CreateExample(PretrainingExample* out) {
  int first_target = random_.Uniform() < 0.1 ? 100000 : (target_length_ - 3) / 2;
  // Decide each sentence's segment (same order of tests and random draws as the official code).
  int a = 0, b = 0;
  in_first_.resize(sentences_.size());
  for (size_t i = 0; i < sentences_.size(); ++i) {
    int s = static_cast<int>(sentences_[i].size());
    bool first = a == 0 || a + s < first_target ||
                 (b == 0 && a < first_target && random_.Uniform() < 0.5);
    in_first_[i] = first;
    (first ? a : b) += s;
  }
  // Truncation: A to max_len - 2, B to max(0, max_len - len(A) - 3).
  const int a_keep = std::min(a, std::max(0, max_length_ - 2));
  const int b_keep = std::min(b, std::max(0, max_length_ - a_keep - 3));

  std::vector<int32_t>& ids = out->input_ids;
  ids.clear();
  ids.reserve(max_length_);
  ids.push_back(cls_id_);
  for (int pass = 0; pass < 2; ++pass) {
    int room = pass == 0 ? a_keep : b_keep;
    if (pass == 1 && room == 0) break;
    for (size_t i = 0; i < sentences_.size() && room > 0; ++i) {
      if (in_first_[i] != (pass == 0)) continue;
      int take = std::min(room, static_cast<int>(sentences_[i].size()));
      ids.insert(ids.end(), sentences_[i].begin(), sentences_[i].begin() + take);
      room -= take;
    }
    ids.push_back(sep_id_);
  }
  const int real = static_cast<int>(ids.size());
  const int first_len = a_keep + 2;
  ids.resize(max_length_, 0);
  out->segment_ids.assign(max_length_, 0);
  for (int i = first_len; i < real; ++i) out->segment_ids[i] = 1;
  out->input_mask.assign(max_length_, 0);
  for (int i = 0; i < real; ++i) out->input_mask[i] = 1;

  sentences_.clear();
  current_length_ = 0;
  target_length_ = random_.Uniform() < 0.05 ? random_.UniformInt(5, max_length_) : max_length_;
}

}  // namespace electra
