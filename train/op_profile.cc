#include "train/op_profile.h"

#include <algorithm>
#include <chrono>
#include <map>

#include <torch/csrc/autograd/profiler_kineto.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace electra {
namespace {

namespace prof = torch::autograd::profiler;
namespace impl = torch::profiler::impl;

std::chrono::steady_clock::time_point g_start;

}  // namespace

bool IsMatrixOp(const std::string& name) {
  for (const char* m : {"aten::mm", "aten::addmm", "aten::bmm", "aten::baddbmm", "aten::addbmm", "aten::matmul",
                        "aten::linear", "mkldnn", "aten::_mkldnn"}) {
    if (absl::StartsWith(name, m)) return true;
  }
  return false;
}

absl::Status StartOpProfile() {
  try {
    impl::ProfilerConfig config(impl::ProfilerState::KINETO);
    prof::enableProfiler(config, {impl::ActivityType::CPU});
  } catch (const c10::Error& e) {
    return absl::FailedPreconditionError(absl::StrCat("the torch profiler could not start: ", e.what_without_backtrace()));
  }
  g_start = std::chrono::steady_clock::now();
  return absl::OkStatus();
}

absl::StatusOr<OpProfile> StopOpProfile(int steps) {
  OpProfile profile;
  profile.steps = steps;
  std::unique_ptr<prof::ProfilerResult> result;
  try {
    result = prof::disableProfiler();
  } catch (const c10::Error& e) {
    return absl::FailedPreconditionError(absl::StrCat("the torch profiler could not stop: ", e.what_without_backtrace()));
  }
  profile.wall_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - g_start).count();
  // Self time: per thread, walk the events by start time with a stack of open intervals; each
  // event's time is taken off its innermost enclosing event.
  struct Interval {
    uint64_t start, end;
    std::string name;
    double child_us = 0;
  };
  std::map<uint64_t, std::vector<Interval>> by_thread;
  for (const auto& e : result->events()) {
    if (e.deviceType() != c10::DeviceType::CPU) continue;
    by_thread[e.startThreadId()].push_back({e.startUs(), e.startUs() + e.durationUs(), e.name()});
  }
  std::map<std::string, OpTime> totals;
  for (auto& [thread, events] : by_thread) {
    std::sort(events.begin(), events.end(), [](const Interval& a, const Interval& b) {
      return a.start != b.start ? a.start < b.start : a.end > b.end;  // parents before children
    });
    std::vector<Interval*> open;
    auto close = [&](Interval* done) {
      OpTime& t = totals[done->name];
      t.name = done->name;
      ++t.calls;
      t.self_ms += std::max(0.0, (done->end - done->start - done->child_us) / 1000.0);
    };
    for (Interval& e : events) {
      while (!open.empty() && open.back()->end <= e.start) {
        close(open.back());
        open.pop_back();
      }
      if (!open.empty()) open.back()->child_us += e.end - e.start;
      open.push_back(&e);
    }
    while (!open.empty()) {
      close(open.back());
      open.pop_back();
    }
  }
  for (auto& [name, t] : totals) {
    profile.self_ms += t.self_ms;
    profile.ops.push_back(t);
  }
  std::sort(profile.ops.begin(), profile.ops.end(), [](const OpTime& a, const OpTime& b) { return a.self_ms > b.self_ms; });
  return profile;
}

std::string OpProfileTable(const OpProfile& p, int rows) {
  const double steps = std::max(1, p.steps);
  double matrix = 0;
  for (const auto& op : p.ops) {
    if (IsMatrixOp(op.name)) matrix += op.self_ms;
  }
  std::string out = absl::StrFormat(
      "%d steps: %.1f ms per step by the clock, %.1f ms per step inside operators (self time), of which matrix "
      "products %.1f ms (%.0f%%)\n\n| operator | ms / step | share of operator time | calls / step |\n|---|---|---|---|\n",
      p.steps, p.wall_ms / steps, p.self_ms / steps, matrix / steps, p.self_ms > 0 ? 100 * matrix / p.self_ms : 0.0);
  for (int i = 0; i < rows && i < static_cast<int>(p.ops.size()); ++i) {
    const OpTime& op = p.ops[i];
    absl::StrAppendFormat(&out, "| %s | %.2f | %.1f%% | %.0f |\n", op.name, op.self_ms / steps,
                          p.self_ms > 0 ? 100 * op.self_ms / p.self_ms : 0.0, op.calls / steps);
  }
  return out;
}

}  // namespace electra
