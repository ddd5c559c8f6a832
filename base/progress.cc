#include "base/progress.h"

#include <cmath>
#include <cstdio>

#include "absl/strings/str_format.h"

namespace electra {

Progress::Progress(std::string label, double total, std::string unit, double interval_seconds)
    : label_(std::move(label)),
      total_(total),
      unit_(std::move(unit)),
      interval_(interval_seconds),
      start_(std::chrono::steady_clock::now()),
      last_print_(start_) {}

double Progress::ElapsedSeconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::Update(double done) {
  last_done_ = done;
  auto now = std::chrono::steady_clock::now();
  if (std::chrono::duration<double>(now - last_print_).count() < interval_) return;
  last_print_ = now;
  Print(done, false);
}

void Progress::Finish(bool force) {
  if (printed_ || force) Print(total_ > 0 ? total_ : last_done_, true);
}

std::string Progress::FormatAmount(double amount) {
  if (std::isfinite(amount) && amount == std::floor(amount) && std::fabs(amount) < 1e15) {
    return absl::StrFormat("%d", static_cast<int64_t>(amount));
  }
  return absl::StrFormat("%.1f", amount);
}

std::string Progress::FormatDuration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  if (seconds < 60) return absl::StrFormat("%.1fs", seconds);
  int64_t s = static_cast<int64_t>(seconds + 0.5);
  if (s < 3600) return absl::StrFormat("%dm%02ds", s / 60, s % 60);
  return absl::StrFormat("%dh%02dm%02ds", s / 3600, (s / 60) % 60, s % 60);
}

void Progress::Print(double done, bool final) {
  printed_ = true;
  double elapsed = ElapsedSeconds();
  double rate = elapsed > 0 ? done / elapsed : 0;
  std::string line;
  if (total_ > 0) {
    double eta = rate > 0 ? (total_ - done) / rate : -1;
    line = absl::StrFormat("[%s] %s/%s %s (%.1f%%) %.2f %s/s elapsed %s %s %s", label_,
                           FormatAmount(done), FormatAmount(total_), unit_, 100.0 * done / total_, rate, unit_,
                           FormatDuration(elapsed), final ? "done" : "ETA",
                           final ? "" : FormatDuration(eta));
  } else {
    line = absl::StrFormat("[%s] %s %s %.2f %s/s elapsed %s%s", label_, FormatAmount(done), unit_, rate, unit_,
                           FormatDuration(elapsed), final ? " done" : "");
  }
  std::fprintf(stderr, "%s\n", line.c_str());
}

}  // namespace electra
