// //glue:write_tsv: the GLUE server's submission files from the fine-tuner's test outputs.
#ifndef ELECTRA_GLUE_SUBMISSION_H_
#define ELECTRA_GLUE_SUBMISSION_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace electra {

struct SubmissionOptions {
  std::string results_dir;
  std::string output_dir;
  std::string select = "best";  // best (dev score) | ensemble (averaged outputs) | run-K
  bool zip = true;
};

struct SubmissionReport {
  std::vector<std::string> written;  // file names
  std::vector<std::string> skipped;  // "QQP.tsv (no results)"
};

absl::StatusOr<SubmissionReport> WriteSubmission(const SubmissionOptions& options);

}  // namespace electra

#endif  // ELECTRA_GLUE_SUBMISSION_H_
