// Progress lines on stderr for long work: done/total, rate and ETA, at most one line every
// `interval_seconds` (plus a final line). Silent when the work finishes quickly.
#ifndef ELECTRA_BASE_PROGRESS_H_
#define ELECTRA_BASE_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <string>

namespace electra {

class Progress {
 public:
  // `unit` names what is counted ("MB", "lines", "merges").
  Progress(std::string label, double total, std::string unit, double interval_seconds = 2.0);

  // Reports that `done` units of `total` are finished; prints when the interval has passed.
  void Update(double done);
  // Prints the final line if any line was printed before (or `force`).
  void Finish(bool force = false);

  double ElapsedSeconds() const;

  // Formats an amount: whole numbers (steps, files, examples) without decimals, others with one.
  static std::string FormatAmount(double amount);
  // Formats seconds as 1h02m03s / 2m03s / 3.4s.
  static std::string FormatDuration(double seconds);

 private:
  void Print(double done, bool final);

  std::string label_;
  double total_;
  std::string unit_;
  double interval_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_print_;
  bool printed_ = false;
  double last_done_ = 0;
};

}  // namespace electra

#endif  // ELECTRA_BASE_PROGRESS_H_
