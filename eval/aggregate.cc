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

bool IsGlueFolder(const std::string& name) {
  for (const char* task : {"CoLA", "SST-2", "MRPC", "STS-B", "QQP", "MNLI", "QNLI", "RTE", "WNLI"}) {
    if (name == task) return true;
  }
  return false;
}

// The user's own tasks: folders other than GLUE's whose finished runs' metrics.json carry a
// task_metric, scored by it.
absl::StatusOr<std::vector<TaskResult>> CollectUserTasks(const std::string& dir) {
  std::vector<TaskResult> out;
  absl::StatusOr<std::vector<std::string>> entries = ListDirectory(dir);
  if (!entries.ok()) return entries.status();
  std::vector<std::string> names = *entries;
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    const std::string task_dir = JoinPath(dir, name);
    if (IsGlueFolder(name) || !IsDirectory(task_dir)) continue;
    absl::StatusOr<std::vector<std::string>> runs = ListDirectory(task_dir);
    if (!runs.ok()) continue;
    std::sort(runs->begin(), runs->end());
    TaskResult r;
    r.column = name;
    for (const std::string& run : *runs) {
      const std::string run_dir = JoinPath(task_dir, run);
      if (run.rfind("run-", 0) != 0 || !PathExists(JoinPath(run_dir, "DONE"))) continue;
      const std::string path = JoinPath(run_dir, "metrics.json");
      absl::StatusOr<std::string> text = ReadFile(path);
      if (!text.ok()) return text.status();
      nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
      if (j.is_discarded() || !j.contains("metrics") || !j["metrics"].is_object() || !j.contains("task_metric") ||
          !j["task_metric"].is_string()) {
        return absl::DataLossError(path + ": not a metrics file (expected {\"metrics\": {...}, \"task_metric\": ...})");
      }
      const std::string metric = j["task_metric"].get<std::string>();
      if (!r.metric.empty() && r.metric != metric) {
        return absl::DataLossError(absl::StrCat(path, ": task_metric ", metric, " but earlier runs of ", name, " used ", r.metric));
      }
      r.metric = metric;
      for (auto it = j["metrics"].begin(); it != j["metrics"].end(); ++it) {
        if (!it.value().is_number()) return absl::DataLossError(path + ": metric " + it.key() + " is not a number");
        r.metrics[it.key()].push_back(it.value().get<double>());
      }
      if (!j["metrics"].contains(metric)) return absl::DataLossError(path + ": no value for its task_metric " + metric);
      r.scores.push_back(j["metrics"][metric].get<double>());
    }
    if (!r.scores.empty()) out.push_back(std::move(r));
  }
  return out;
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
        r.metric = PrimaryMetric(column);
        r.scores.push_back(TaskScore(column, metrics));
        for (const auto& [k, v] : metrics) r.metrics[k].push_back(v);
      }
    }
  }
  absl::StatusOr<std::vector<TaskResult>> own = CollectUserTasks(dir);
  if (!own.ok()) return own.status();
  double median_sum = 0, mean_sum = 0;
  for (const auto& column : Columns()) {
    auto it = by_column.find(column);
    if (it == by_column.end()) continue;
    it->second.stats = Summarize(it->second.scores);
    if (InGlueScore(column)) {
      median_sum += it->second.stats.median;
      mean_sum += it->second.stats.mean;
      ++out.glue_tasks;
    }
    out.tasks.push_back(it->second);
  }
  for (TaskResult& t : *own) {
    t.stats = Summarize(t.scores);
    out.tasks.push_back(std::move(t));
  }
  if (out.glue_tasks > 0) {
    out.glue_median = median_sum / out.glue_tasks;
    out.glue_mean = mean_sum / out.glue_tasks;
  }
  out.glue_score = out.glue(use_median);
  return out;
}

std::map<std::string, double> ReferenceRow(const std::string& name, std::string* label, bool* median) {
  bool ignored;
  if (median == nullptr) median = &ignored;
  if (name == "official" || name == "electra-small-owt") {
    *label = "ELECTRA-Small-OWT, official (1M steps; median of >= 10 runs)";
    *median = true;
    return {{"CoLA", 56.8}, {"SST-2", 88.3}, {"MRPC", 87.4}, {"STS-B", 86.8}, {"QQP", 88.3},
            {"MNLI-m", 78.9}, {"QNLI", 87.9}, {"RTE", 68.5}, {"avg", 80.36}};
  }
  if (name == "seed" || name == "electra-small-replication") {
    *label = "ELECTRA-Small-OWT, PyTorch replication (mean of 10 runs)";
    *median = false;
    return {{"CoLA", 58.72}, {"SST-2", 88.03}, {"MRPC", 86.04}, {"STS-B", 86.16}, {"QQP", 88.63},
            {"MNLI-m", 80.4}, {"QNLI", 87.45}, {"RTE", 67.46}, {"avg", 80.36}};
  }
  return {};
}

absl::StatusOr<std::vector<TableBlock>> PlanTable(const std::string& reference, const std::string& aggregate) {
  std::vector<std::string> references;
  if (reference == "both") {
    references = {"official", "seed"};
  } else if (reference != "none") {
    std::string label;
    if (ReferenceRow(reference, &label).empty()) {
      return absl::InvalidArgumentError("--reference: must be official, seed, both or none (got '" + reference + "')");
    }
    references = {reference};
  }
  if (aggregate != "auto" && aggregate != "median" && aggregate != "mean") {
    return absl::InvalidArgumentError("--aggregate: must be auto, median or mean (got '" + aggregate + "')");
  }
  std::vector<TableBlock> blocks;
  auto block_for = [&](bool median) -> TableBlock& {
    for (auto& b : blocks) {
      if (b.median == median) return b;
    }
    blocks.push_back({median, {}});
    return blocks.back();
  };
  for (const auto& name : references) {
    std::string label;
    bool median = true;
    ReferenceRow(name, &label, &median);
    block_for(aggregate == "auto" ? median : aggregate == "median").references.push_back(name);
  }
  if (blocks.empty()) block_for(aggregate != "mean");
  return blocks;
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

// A metric's name in table headers.
std::string MetricLabel(const std::string& metric) {
  if (metric == "mcc") return "MCC";
  if (metric == "spearman") return "Spearman";
  if (metric == "pearson") return "Pearson";
  if (metric == "f1") return "F1";
  if (metric == "span_f1") return "span F1";
  return "acc";
}

double Aggregated(const Stats& s, bool median) { return median ? s.median : s.mean; }

// "| label (median of runs) | ... | avg |" for `cols`.
std::string ResultRow(const GlueResults& r, const std::vector<std::string>& cols, const std::string& label,
                      bool median) {
  std::string out;
  absl::StrAppend(&out, "| ", label, " (", median ? "median" : "mean", " of runs) |");
  for (const auto& c : cols) {
    const TaskResult* t = FindTask(r, c);
    out += t == nullptr ? " - |" : absl::StrFormat(" %.2f |", Aggregated(t->stats, median));
  }
  out += r.glue_tasks > 0 ? absl::StrFormat(" %.2f%s |\n", r.glue(median), TasksNote(r)) : " - |\n";
  return out;
}

// "| label (std) | ... |": the sample standard deviation over runs.
std::string StdRow(const GlueResults& r, const std::vector<std::string>& cols, const std::string& label) {
  std::string out;
  absl::StrAppend(&out, "| ", label, " (std) |");
  for (const auto& c : cols) {
    const TaskResult* t = FindTask(r, c);
    out += t == nullptr ? " - |" : absl::StrFormat(" %.2f |", t->stats.std);
  }
  out += " |\n";
  return out;
}

std::string DifferenceRow(const GlueResults& r, const GlueResults& b, const std::vector<std::string>& cols,
                          const TableOptions& o, bool median) {
  std::string out;
  absl::StrAppend(&out, "| difference (", o.label, " - ", o.baseline_label, ") |");
  bool same_tasks = r.glue_tasks == b.glue_tasks;
  for (const auto& c : cols) {
    const TaskResult *x = FindTask(r, c), *y = FindTask(b, c);
    same_tasks = same_tasks && x != nullptr && y != nullptr;
    if (x == nullptr || y == nullptr) {
      out += " - |";
      continue;
    }
    absl::StrAppendFormat(&out, " %+.2f |", Aggregated(x->stats, median) - Aggregated(y->stats, median));
  }
  out += same_tasks && r.glue_tasks > 0 ? absl::StrFormat(" %+.2f |\n", r.glue(median) - b.glue(median)) : " - |\n";
  return out;
}

std::string ReferenceRowText(const std::string& name, const std::vector<std::string>& cols) {
  std::string label, out;
  std::map<std::string, double> ref = ReferenceRow(name, &label);
  if (ref.empty()) return out;
  absl::StrAppend(&out, "| ", label, " |");
  for (const auto& c : cols) {
    auto it = ref.find(c);
    out += it == ref.end() ? " - |" : absl::StrFormat(" %.2f |", it->second);
  }
  absl::StrAppendFormat(&out, " %.2f |\n", ref["avg"]);
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
  std::vector<TableBlock> blocks = o.blocks;
  if (blocks.empty()) {
    blocks.push_back({r.use_median, {}});
    if (o.reference != "none") blocks.back().references.push_back(o.reference);
  }
  // With at most one run per task the median is the mean: one block holds every reference row.
  auto single_runs = [](const GlueResults& x) {
    return std::all_of(x.tasks.begin(), x.tasks.end(), [](const TaskResult& t) { return t.stats.n <= 1; });
  };
  if (blocks.size() > 1 && single_runs(r) && (o.baseline == nullptr || single_runs(*o.baseline))) {
    for (size_t i = 1; i < blocks.size(); ++i) {
      blocks[0].references.insert(blocks[0].references.end(), blocks[i].references.begin(), blocks[i].references.end());
    }
    blocks.resize(1);
  }
  std::string out = "| model |";
  for (const auto& c : cols) {
    const TaskResult* t = FindTask(r, c);
    if (t == nullptr && o.baseline != nullptr) t = FindTask(*o.baseline, c);
    absl::StrAppend(&out, " ", c == "MNLI-m" ? "MNLI" : c, " (", MetricLabel(t != nullptr ? t->metric : PrimaryMetric(c)), ") |");
  }
  out += " GLUE avg |\n|---|";
  for (size_t i = 0; i <= cols.size(); ++i) out += "---|";
  out += "\n";
  for (size_t i = 0; i < blocks.size(); ++i) {
    const TableBlock& block = blocks[i];
    out += ResultRow(r, cols, o.label, block.median);
    if (i == 0) out += StdRow(r, cols, o.label);
    if (o.baseline != nullptr) {
      out += ResultRow(*o.baseline, cols, o.baseline_label, block.median);
      if (i == 0) out += StdRow(*o.baseline, cols, o.baseline_label);
      out += DifferenceRow(r, *o.baseline, cols, o, block.median);
    }
    for (const auto& name : block.references) out += ReferenceRowText(name, cols);
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
  out += "\nTask score as in the ELECTRA paper (section 3.1) and the official README: MCC for CoLA, Spearman for STS-B, "
         "accuracy for every other task (MRPC and QQP included; F1 and Pearson are listed as diagnostics only). "
         "GLUE avg = plain mean over CoLA, SST-2, MRPC, STS-B, QQP, MNLI(-m), QNLI, RTE as in the ELECTRA tables "
         "(WNLI left out). Each row says how its runs are aggregated: the official row is a median of at least 10 "
         "runs, the PyTorch replication's a mean of 10.\n";
  if (std::any_of(r.tasks.begin(), r.tasks.end(), [](const TaskResult& t) { return !IsGlueFolder(t.column) && t.column != "MNLI-m" && t.column != "MNLI-mm"; })) {
    out += "Your own tasks (finetune --task_spec) are scored by their own metric and left out of the GLUE average.\n";
  }
  return out;
}

std::string ResultsJson(const GlueResults& r) {
  nlohmann::ordered_json j;
  j["aggregate"] = r.use_median ? "median" : "mean";
  j["glue_score"] = r.glue_score;
  j["glue_score_median"] = r.glue_median;
  j["glue_score_mean"] = r.glue_mean;
  j["task_score"] = "MCC for CoLA, Spearman for STS-B, accuracy otherwise (the ELECTRA paper's)";
  j["glue_tasks"] = r.glue_tasks;
  nlohmann::ordered_json tasks;
  for (const auto& t : r.tasks) {
    nlohmann::ordered_json e;
    e["metric"] = t.metric;
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
