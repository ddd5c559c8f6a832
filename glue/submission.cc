#include "glue/submission.h"

#include <algorithm>
#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "base/file_util.h"
#include "eval/metrics.h"
#include "glue/tasks.h"
#include "glue/zip_writer.h"
#include "nlohmann/json.hpp"

namespace electra {
namespace {

struct Outputs {
  std::vector<std::string> index;
  std::vector<std::vector<double>> values;  // per row: logits or the regression value
};

absl::StatusOr<Outputs> ReadOutputs(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  std::vector<absl::string_view> lines = absl::StrSplit(*text, '\n', absl::SkipEmpty());
  if (lines.empty()) return absl::DataLossError(path + ": empty outputs file");
  Outputs o;
  size_t width = std::vector<absl::string_view>(absl::StrSplit(lines[0], '\t')).size();
  for (size_t i = 1; i < lines.size(); ++i) {
    std::vector<absl::string_view> f = absl::StrSplit(lines[i], '\t');
    if (f.size() != width) return absl::DataLossError(absl::StrFormat("%s:%d: expected %d columns", path, i + 1, width));
    o.index.emplace_back(f[0]);
    std::vector<double> v;
    for (size_t c = 1; c < f.size(); ++c) {
      double x;
      if (!absl::SimpleAtod(f[c], &x)) return absl::DataLossError(absl::StrFormat("%s:%d: not a number", path, i + 1));
      v.push_back(x);
    }
    o.values.push_back(std::move(v));
  }
  return o;
}

struct Run {
  std::string dir;
  int number = 0;
  double score = 0;
  std::map<std::string, std::string> outputs;  // submission name -> outputs file
};

// The finished runs of one task; each run's score is the task's metric as the paper scores it
// (eval/metrics.h), MNLI by its matched dev set.
absl::StatusOr<std::vector<Run>> FinishedRuns(const std::string& task, const std::string& task_dir) {
  std::vector<Run> runs;
  auto names = ListDirectory(task_dir);
  if (!names.ok()) return runs;
  for (const auto& name : *names) {
    std::string dir = JoinPath(task_dir, name);
    int number;
    if (name.rfind("run-", 0) != 0 || !absl::SimpleAtoi(name.substr(4), &number) || !PathExists(JoinPath(dir, "DONE"))) {
      continue;
    }
    auto text = ReadFile(JoinPath(dir, "metrics.json"));
    if (!text.ok()) return text.status();
    nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
    if (j.is_discarded() || !j.contains("metrics")) return absl::DataLossError(dir + "/metrics.json is malformed");
    Run r;
    r.dir = dir;
    r.number = number;
    std::map<std::string, double> m;
    for (auto it = j["metrics"].begin(); it != j["metrics"].end(); ++it) m[it.key()] = it.value().get<double>();
    r.score = task == "MNLI" ? m["accuracy_m"] : TaskScore(task, m);
    if (j.contains("test_outputs")) {
      for (const auto& entry : j["test_outputs"]) {
        std::string s = entry.get<std::string>();
        size_t colon = s.find(':');
        if (colon != std::string::npos) r.outputs[s.substr(colon + 1)] = JoinPath(dir, s.substr(0, colon));
      }
    }
    runs.push_back(std::move(r));
  }
  return runs;
}

}  // namespace

absl::StatusOr<SubmissionReport> WriteSubmission(const SubmissionOptions& o) {
  int select_run = -1;
  if (o.select.rfind("run-", 0) == 0) {
    if (!absl::SimpleAtoi(o.select.substr(4), &select_run) || select_run < 0) {
      return absl::InvalidArgumentError("--select: run-K needs a number K >= 0");
    }
  } else if (o.select != "best" && o.select != "ensemble") {
    return absl::InvalidArgumentError("--select: must be best, ensemble or run-K");
  }
  if (!IsDirectory(o.results_dir)) return absl::NotFoundError("--results_dir: " + o.results_dir + " is not a directory");
  absl::Status s = MakeDirectories(o.output_dir);
  if (!s.ok()) return s;

  SubmissionReport report;
  std::vector<std::pair<std::string, std::string>> files;
  std::vector<std::pair<const TaskSpec*, std::string>> wanted;  // (task, submission name)
  for (const auto& t : GlueTasks()) {
    for (const auto& n : t.submission_names) wanted.emplace_back(&t, n);
    if (t.name == "MNLI") wanted.emplace_back(&AxTask(), "AX.tsv");
  }
  for (const auto& [task, name] : wanted) {
    std::string source_task = task->name == "AX" ? "MNLI" : task->name;
    absl::StatusOr<std::vector<Run>> runs = FinishedRuns(source_task, JoinPath(o.results_dir, source_task));
    if (!runs.ok()) return runs.status();
    std::vector<const Run*> with;
    for (const auto& r : *runs) {
      if (r.outputs.count(name)) with.push_back(&r);
    }
    if (select_run >= 0) {
      with.erase(std::remove_if(with.begin(), with.end(), [&](const Run* r) { return r->number != select_run; }),
                 with.end());
    } else if (o.select == "best" && !with.empty()) {
      with = {*std::max_element(with.begin(), with.end(), [](const Run* a, const Run* b) { return a->score < b->score; })};
    }
    if (with.empty()) {
      report.skipped.push_back(absl::StrCat(name, " (no ", source_task, " test outputs", select_run >= 0 ? " for " + o.select : "", ")"));
      continue;
    }
    Outputs sum;
    for (const Run* r : with) {
      absl::StatusOr<Outputs> out = ReadOutputs(r->outputs.at(name));
      if (!out.ok()) return out.status();
      if (sum.index.empty()) {
        sum = *out;
        continue;
      }
      if (out->index != sum.index) {
        return absl::FailedPreconditionError(absl::StrCat("runs of ", source_task, " disagree on the rows of ", name,
                                                          " (different --test_limit?); cannot ensemble"));
      }
      for (size_t i = 0; i < sum.values.size(); ++i) {
        for (size_t c = 0; c < sum.values[i].size(); ++c) sum.values[i][c] += out->values[i][c];
      }
    }
    std::string tsv = "index\tprediction\n";
    for (size_t i = 0; i < sum.index.size(); ++i) {
      const std::vector<double>& v = sum.values[i];
      std::string prediction;
      if (task->regression()) {
        prediction = absl::StrFormat("%.3f", std::clamp(v[0] / with.size(), 0.0, 5.0));
      } else {
        prediction = task->labels[std::max_element(v.begin(), v.end()) - v.begin()];
      }
      absl::StrAppend(&tsv, sum.index[i], "\t", prediction, "\n");
    }
    s = WriteFileAtomically(JoinPath(o.output_dir, name), tsv);
    if (!s.ok()) return s;
    files.emplace_back(name, tsv);
    report.written.push_back(name);
  }
  if (files.empty()) return absl::NotFoundError("no test outputs under " + o.results_dir + ": nothing to submit");
  if (o.zip) {
    s = WriteZip(JoinPath(o.output_dir, "submission.zip"), files);
    if (!s.ok()) return s;
  }
  return report;
}

}  // namespace electra
