// Training logs: TensorBoard event files (TFRecord-framed Event protos with scalar summaries)
// under DIR/tensorboard/, and one JSON object per logged step in DIR/metrics.jsonl.
#ifndef ELECTRA_TRAIN_METRICS_LOG_H_
#define ELECTRA_TRAIN_METRICS_LOG_H_

#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "corpus/record_io.h"

namespace electra {

class MetricsLog {
 public:
  // Creates DIR/tensorboard/events.out.tfevents.<time>.<host>.<pid> and appends to
  // DIR/metrics.jsonl (a resumed run continues both).
  static absl::StatusOr<std::unique_ptr<MetricsLog>> Open(const std::string& dir);
  ~MetricsLog();

  // Records scalars for `step` (ordered map: stable key order in the JSON lines).
  absl::Status Write(int64_t step, const std::vector<std::pair<std::string, double>>& scalars);

  const std::string& events_path() const { return events_->path(); }

 private:
  std::unique_ptr<RecordAppender> events_;
  FILE* jsonl_ = nullptr;
};

// Reads back the scalars of an event file: tag -> (step, value) list (tests and tools).
absl::StatusOr<std::map<std::string, std::vector<std::pair<int64_t, float>>>> ReadEventScalars(
    const std::string& path);

}  // namespace electra

#endif  // ELECTRA_TRAIN_METRICS_LOG_H_
