// One pretraining example as the official ELECTRA build_pretraining_dataset.py writes it:
// tf.train.Example with int64 features input_ids, input_mask, segment_ids, each of length
// max_seq_length.
#ifndef ELECTRA_CORPUS_PRETRAINING_EXAMPLE_H_
#define ELECTRA_CORPUS_PRETRAINING_EXAMPLE_H_

#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace electra {

struct PretrainingExample {
  std::vector<int32_t> input_ids;    // [CLS] A [SEP] (B [SEP]) then 0s
  std::vector<int32_t> input_mask;   // 1 for real tokens, 0 for padding
  std::vector<int32_t> segment_ids;  // 0 for [CLS] A [SEP], 1 for B [SEP], 0 for padding

  bool operator==(const PretrainingExample& o) const {
    return input_ids == o.input_ids && input_mask == o.input_mask && segment_ids == o.segment_ids;
  }
  bool operator<(const PretrainingExample& o) const {
    return std::tie(input_ids, input_mask, segment_ids) <
           std::tie(o.input_ids, o.input_mask, o.segment_ids);
  }
  int length() const;  // number of real tokens
};

// Serializes as a tf.train.Example (features in key order, packed int64 lists).
std::string SerializeExample(const PretrainingExample& example);
// Appends the example as one framed TFRecord record (AppendRecord(SerializeExample(e))
// without the intermediate string).
void AppendExampleRecord(const PretrainingExample& example, std::string* out);
// The same through the protobuf library (deterministic map order); for tests.
std::string SerializeExampleWithProtobuf(const PretrainingExample& example);

// Parses a tf.train.Example holding the three int64 features of equal length. Errors name the
// missing or malformed feature; `where` (e.g. "file.tfrecord at byte 1234") prefixes them.
absl::StatusOr<PretrainingExample> ParseExample(absl::string_view payload, absl::string_view where);

}  // namespace electra

#endif  // ELECTRA_CORPUS_PRETRAINING_EXAMPLE_H_
