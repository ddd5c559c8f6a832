// write_tsv: the GLUE server's submission files (CoLA.tsv ... AX.tsv and submission.zip) from
// the fine-tuner's test outputs.
#include <cstdio>

#include "absl/flags/flag.h"
#include "base/tool_main.h"
#include "glue/submission.h"

ABSL_FLAG(std::string, results_dir, "", "The fine-tuner's --output_dir. Required.");
ABSL_FLAG(std::string, output_dir, "", "Where to write the .tsv files and submission.zip. Required.");
ABSL_FLAG(std::string, select, "best", "best (highest dev score per task), ensemble (averaged outputs of all runs) or run-K.");
ABSL_FLAG(bool, zip, true, "Pack the files into submission.zip.");

int main(int argc, char** argv) {
  electra::ParseToolFlags(argc, argv, "write_tsv --results_dir=DIR --output_dir=OUT [--select=best|ensemble|run-K]");
  return electra::RunTool("write_tsv", []() -> absl::Status {
    electra::SubmissionOptions o;
    o.results_dir = absl::GetFlag(FLAGS_results_dir);
    o.output_dir = absl::GetFlag(FLAGS_output_dir);
    o.select = absl::GetFlag(FLAGS_select);
    o.zip = absl::GetFlag(FLAGS_zip);
    if (o.results_dir.empty()) return electra::FlagError("results_dir", "is required");
    if (o.output_dir.empty()) return electra::FlagError("output_dir", "is required");
    auto report = electra::WriteSubmission(o);
    if (!report.ok()) return report.status();
    for (const auto& f : report->written) std::fprintf(stderr, "write_tsv: wrote %s/%s\n", o.output_dir.c_str(), f.c_str());
    for (const auto& f : report->skipped) std::fprintf(stderr, "write_tsv: skipped %s\n", f.c_str());
    if (o.zip) std::fprintf(stderr, "write_tsv: packed %zu file(s) into %s/submission.zip\n", report->written.size(), o.output_dir.c_str());
    return absl::OkStatus();
  });
}
