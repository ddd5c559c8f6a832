#include "eval/aggregate.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/file_util.h"
#include "eval/metrics.h"
#include "nlohmann/json.hpp"

namespace electra {
namespace {

const std::vector<std::string>& Columns() {
  static const std::vector<std::string> c = {"CoLA", "SST-2", "MRPC", "STS-B", "QQP", "MNLI-m", "MNLI-mm", "QNLI", "RTE", "WNLI"};
  return c;
}

// The eight columns of the ELECTRA tables (MNLI = MNLI-m; WNLI left out).
bool InGlueScore(const std::string& column) {
  return column != "WNLI" && column != "MNLI-mm";
}

}  // namespace

Stats Summarize(std::vector<double> v) {
  Stats s;
  s.n = static_cast<int>(v.size());
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  s.min = v.front();
  s.max = v.back();
  s.mean = std::accumulate(v.begin(), v.end(), 0.0) / v.size();
  s.median = v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
  if (v.size() > 1) {
    double ss = 0;
    for (double x : v) ss += (x - s.mean) * (x - s.mean);
    s.std = std::sqrt(ss / (v.size() - 1));
  }
  return s;
}

absl::StatusOr<GlueResults> CollectResults(const std::string& dir, bool use_median) {
  if (!IsDirectory(dir)) return absl::NotFoundError("--results_dir: " + dir + " is not a directory");
  GlueResults out;
  out.use_median = use_median;
  std::map<std::string, TaskResult> by_column;
  for (const char* task : {"CoLA", "SST-2", "MRPC", "STS-B", "QQP", "MNLI", "QNLI", "RTE", "WNLI"}) {
    std::string task_dir = JoinPath(dir, task);
    auto runs = ListDirectory(task_dir);
    if (!runs.ok()) continue;
    for (const auto& run : *runs) {
      std::string run_dir = JoinPath(task_dir, run);
      if (run.rfind("run-", 0) != 0 || !PathExists(JoinPath(run_dir, "DONE"))) continue;
      std::string path = JoinPath(run_dir, "metrics.json");
      auto text = ReadFile(path);
      if (!text.ok()) return text.status();
      nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
      if (j.is_discarded() || !j.contains("metrics") || !j["metrics"].is_object()) {
        return absl::DataLossError(path + ": not a metrics file (expected {\"metrics\": {...}})");
      }
      // MNLI holds both dev sets: metrics ending in _m / _mm.
      std::map<std::string, std::map<std::string, double>> per_column;
      for (auto it = j["metrics"].begin(); it != j["metrics"].end(); ++it) {
        if (!it.value().is_number()) return absl::DataLossError(path + ": metric " + it.key() + " is not a number");
        std::string key = it.key(), column = task;
        if (task == std::string("MNLI")) {
          bool mm = key.size() > 3 && key.compare(key.size() - 3, 3, "_mm") == 0;
          column = mm ? "MNLI-mm" : "MNLI-m";
          key = key.substr(0, key.rfind('_'));
        }
        per_column[column][key] = it.value().get<double>();
      }
      for (const auto& [column, metrics] : per_column) {
        TaskResult& r = by_column[column];
        r.column = column;
        r.scores.push_back(TaskScore(metrics));
        for (const auto& [k, v] : metrics) r.metrics[k].push_back(v);
      }
    }
  }
  double sum = 0;
  for (const auto& column : Columns()) {
    auto it = by_column.find(column);
    if (it == by_column.end()) continue;
    it->second.stats = Summarize(it->second.scores);
    if (InGlueScore(column)) {
      sum += use_median ? it->second.stats.median : it->second.stats.mean;
      ++out.glue_tasks;
    }
    out.tasks.push_back(it->second);
  }
  out.glue_score = out.glue_tasks > 0 ? sum / out.glue_tasks : 0;
  return out;
}

std::map<std::string, double> ReferenceRow(const std::string& name, std::string* label) {
  if (name == "electra-small-owt") {
    *label = "ELECTRA-Small-OWT, official (1M steps)";
    return {{"CoLA", 56.8}, {"SST-2", 88.3}, {"MRPC", 87.4}, {"STS-B", 86.8}, {"QQP", 88.3},
            {"MNLI-m", 78.9}, {"QNLI", 87.9}, {"RTE", 68.5}, {"avg", 80.36}};
  }
  if (name == "electra-small-replication") {
    *label = "ELECTRA-Small-OWT, PyTorch replication";
    return {{"CoLA", 58.72}, {"SST-2", 88.03}, {"MRPC", 86.04}, {"STS-B", 86.16}, {"QQP", 88.63},
            {"MNLI-m", 80.4}, {"QNLI", 87.45}, {"RTE", 67.46}, {"avg", 80.36}};
  }
  return {};
}

namespace {

const TaskResult* FindTask(const GlueResults& r, const std::string& column) {
  for (const auto& t : r.tasks) {
    if (t.column == column) return &t;
  }
  return nullptr;
}

std::string TasksNote(const GlueResults& r) {
  return r.glue_tasks < 8 ? absl::StrCat(" (", r.glue_tasks, " tasks)") : "";
}

// "| label (median of runs) | ... | avg |" and "| label (std) | ... |" for `cols`.
std::string ResultRows(const GlueResults& r, const std::vector<std::string>& cols, const std::string& label) {
  std::string out;
  absl::StrAppend(&out, "| ", label, " (", r.use_median ? "median" : "mean", " of runs) |");
  for (const auto& c : cols) {
    const TaskResult* t = FindTask(r, c);
    out += t == nullptr ? " - |" : absl::StrFormat(" %.2f |", r.use_median ? t->stats.median : t->stats.mean);
  }
  absl::StrAppendFormat(&out, " %.2f%s |\n", r.glue_score, TasksNote(r));
  absl::StrAppend(&out, "| ", label, " (std) |");
  for (const auto& c : cols) {
    const TaskResult* t = FindTask(r, c);
    out += t == nullptr ? " - |" : absl::StrFormat(" %.2f |", t->stats.std);
  }
  out += " |\n";
  return out;
}

}  // namespace

std::string MarkdownTable(const GlueResults& r, const std::string& reference) {
  TableOptions o;
  o.reference = reference;
  return MarkdownTable(r, o);
}

std::string MarkdownTable(const GlueResults& r, const TableOptions& o) {
  std::vector<std::string> cols;
  for (const auto& t : r.tasks) cols.push_back(t.column);
  if (o.baseline != nullptr) {
    for (const auto& t : o.baseline->tasks) {
      if (FindTask(r, t.column) == nullptr) cols.push_back(t.column);
    }
  }
  std::string out = "| model |";
  for (const auto& c : cols) absl::StrAppend(&out, " ", c == "MNLI-m" ? "MNLI" : c, " |");
  out += " GLUE avg |\n|---|";
  for (size_t i = 0; i <= cols.size(); ++i) out += "---|";
  out += "\n";
  out += ResultRows(r, cols, o.label);
  if (o.baseline != nullptr) {
    const GlueResults& b = *o.baseline;
    out += ResultRows(b, cols, o.baseline_label);
    absl::StrAppend(&out, "| difference (", o.label, " - ", o.baseline_label, ") |");
    bool same_tasks = r.glue_tasks == b.glue_tasks;
    for (const auto& c : cols) {
      const TaskResult *x = FindTask(r, c), *y = FindTask(b, c);
      same_tasks = same_tasks && x != nullptr && y != nullptr;
      if (x == nullptr || y == nullptr) {
        out += " - |";
        continue;
      }
      double dx = r.use_median ? x->stats.median : x->stats.mean, dy = b.use_median ? y->stats.median : y->stats.mean;
      absl::StrAppendFormat(&out, " %+.2f |", dx - dy);
    }
    out += same_tasks ? absl::StrFormat(" %+.2f |\n", r.glue_score - b.glue_score) : " - |\n";
  }
  std::string label;
  std::map<std::string, double> ref = ReferenceRow(o.reference, &label);
  if (!ref.empty()) {
    absl::StrAppend(&out, "| ", label, " |");
    for (const auto& c : cols) {
      auto it = ref.find(c);
      out += it == ref.end() ? " - |" : absl::StrFormat(" %.2f |", it->second);
    }
    absl::StrAppendFormat(&out, " %.2f |\n", ref["avg"]);
  }
  out += "\n| task | runs | mean | median | std | min | max | metrics (mean over runs) |\n|---|---|---|---|---|---|---|---|\n";
  for (const auto& t : r.tasks) {
    std::string m;
    for (const auto& [k, v] : t.metrics) {
      absl::StrAppendFormat(&m, "%s%s %.2f", m.empty() ? "" : ", ", k, Summarize(v).mean);
    }
    absl::StrAppendFormat(&out, "| %s | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %s |\n", t.column, t.stats.n, t.stats.mean,
                          t.stats.median, t.stats.std, t.stats.min, t.stats.max, m);
  }
  out += "\nTask score = mean of the task's metrics (MCC for CoLA, F1 and accuracy for MRPC/QQP, Pearson and Spearman for STS-B, accuracy otherwise). GLUE avg = over CoLA, SST-2, MRPC, STS-B, QQP, MNLI(-m), QNLI, RTE as in the ELECTRA tables (WNLI left out).\n";
  return out;
}

std::string ResultsJson(const GlueResults& r) {
  nlohmann::ordered_json j;
  j["aggregate"] = r.use_median ? "median" : "mean";
  j["glue_score"] = r.glue_score;
  j["glue_tasks"] = r.glue_tasks;
  nlohmann::ordered_json tasks;
  for (const auto& t : r.tasks) {
    nlohmann::ordered_json e;
    e["runs"] = t.stats.n;
    e["mean"] = t.stats.mean;
    e["median"] = t.stats.median;
    e["std"] = t.stats.std;
    e["min"] = t.stats.min;
    e["max"] = t.stats.max;
    e["scores"] = t.scores;
    e["metrics"] = t.metrics;
    tasks[t.column] = e;
  }
  j["tasks"] = tasks;
  return j.dump(2) + "\n";
}

}  // namespace electra
