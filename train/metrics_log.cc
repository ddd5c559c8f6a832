#include "train/metrics_log.h"

#include <unistd.h>

#include <chrono>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/file_util.h"
#include "train/event.pb.h"

namespace electra {
namespace {

double WallTime() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

absl::StatusOr<std::unique_ptr<MetricsLog>> MetricsLog::Open(const std::string& dir) {
  std::string tb = JoinPath(dir, "tensorboard");
  absl::Status s = MakeDirectories(tb);
  if (!s.ok()) return s;
  char host[256] = "localhost";
  gethostname(host, sizeof(host) - 1);
  std::string name = absl::StrFormat("events.out.tfevents.%d.%s.%d", static_cast<int64_t>(WallTime()), host, getpid());
  auto events = RecordAppender::Open(JoinPath(tb, name));
  if (!events.ok()) return events.status();
  std::unique_ptr<MetricsLog> log(new MetricsLog());
  log->events_ = *std::move(events);
  tb::Event version;
  version.set_wall_time(WallTime());
  version.set_file_version("brain.Event:2");
  s = log->events_->Write(version.SerializeAsString());
  if (!s.ok()) return s;
  std::string jsonl = JoinPath(dir, "metrics.jsonl");
  log->jsonl_ = fopen(jsonl.c_str(), "a");
  if (log->jsonl_ == nullptr) return absl::PermissionDeniedError("cannot append to " + jsonl);
  return log;
}

MetricsLog::~MetricsLog() {
  if (jsonl_ != nullptr) fclose(jsonl_);
}

absl::Status MetricsLog::Write(int64_t step, const std::vector<std::pair<std::string, double>>& scalars) {
  tb::Event event;
  event.set_wall_time(WallTime());
  event.set_step(step);
  std::string line = absl::StrFormat("{\"step\": %d, \"time\": %.3f", step, event.wall_time());
  for (const auto& [tag, value] : scalars) {
    auto* v = event.mutable_summary()->add_value();
    v->set_tag(tag);
    v->set_simple_value(static_cast<float>(value));
    if (std::isfinite(value)) {
      absl::StrAppendFormat(&line, ", \"%s\": %.9g", tag, value);
    } else {
      absl::StrAppendFormat(&line, ", \"%s\": null", tag);
    }
  }
  line += "}\n";
  absl::Status s = events_->Write(event.SerializeAsString());
  if (!s.ok()) return s;
  if (fputs(line.c_str(), jsonl_) < 0 || fflush(jsonl_) != 0) {
    return absl::ResourceExhaustedError("cannot write metrics.jsonl");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::map<std::string, std::vector<std::pair<int64_t, float>>>> ReadEventScalars(
    const std::string& path) {
  auto reader = RecordReader::Open(path);
  if (!reader.ok()) return reader.status();
  std::map<std::string, std::vector<std::pair<int64_t, float>>> out;
  std::string payload;
  bool first = true;
  while (true) {
    auto more = (*reader)->Next(&payload);
    if (!more.ok()) return more.status();
    if (!*more) break;
    tb::Event e;
    if (!e.ParseFromString(payload)) return absl::DataLossError(path + ": not an Event record");
    if (first && e.file_version() != "brain.Event:2") {
      return absl::DataLossError(path + ": the first event is not the file version");
    }
    first = false;
    for (const auto& v : e.summary().value()) out[v.tag()].emplace_back(e.step(), v.simple_value());
  }
  return out;
}

}  // namespace electra
