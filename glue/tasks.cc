#include "glue/tasks.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "base/file_util.h"
#include "tokenizer/utf8.h"

namespace electra {
namespace {

SplitLayout L(bool header, int index, int a, int b, int label, int min_columns) {
  SplitLayout l;
  l.header = header;
  l.index = index;
  l.text_a = a;
  l.text_b = b;
  l.label = label;
  l.min_columns = min_columns;
  return l;
}

std::vector<TaskSpec> MakeTasks() {
  std::vector<TaskSpec> t;
  auto add = [&](TaskSpec s) { t.push_back(std::move(s)); };
  TaskSpec s;
  // CoLA: train/dev have no header: source, label, original label, sentence.
  s = {};
  s.name = "CoLA";
  s.labels = {"0", "1"};
  s.train = s.dev = L(false, -1, 3, -1, 1, 4);
  s.test = L(true, 0, 1, -1, -1, 2);
  s.dev_files = {"dev.tsv"};
  s.test_files = {"test.tsv"};
  s.submission_names = {"CoLA.tsv"};
  add(s);
  s = {};
  s.name = "SST-2";
  s.labels = {"0", "1"};
  s.train = s.dev = L(true, -1, 0, -1, 1, 2);
  s.test = L(true, 0, 1, -1, -1, 2);
  s.dev_files = {"dev.tsv"};
  s.test_files = {"test.tsv"};
  s.submission_names = {"SST-2.tsv"};
  add(s);
  s = {};
  s.name = "MRPC";
  s.labels = {"0", "1"};
  s.train = s.dev = L(true, -1, 3, 4, 0, 5);
  s.test = L(true, 0, 3, 4, -1, 5);
  s.dev_files = {"dev.tsv"};
  s.test_files = {"test.tsv"};
  s.submission_names = {"MRPC.tsv"};
  s.double_with_swapped_pair = true;
  add(s);
  s = {};
  s.name = "STS-B";
  s.train = s.dev = L(true, 0, 7, 8, 9, 10);
  s.test = L(true, 0, 7, 8, -1, 9);
  s.dev_files = {"dev.tsv"};
  s.test_files = {"test.tsv"};
  s.submission_names = {"STS-B.tsv"};
  s.double_with_swapped_pair = true;
  s.default_epochs = 10;
  add(s);
  s = {};
  s.name = "QQP";
  s.labels = {"0", "1"};
  s.train = s.dev = L(true, 0, 3, 4, 5, 6);
  s.test = L(true, 0, 1, 2, -1, 3);
  s.dev_files = {"dev.tsv"};
  s.test_files = {"test.tsv"};
  s.submission_names = {"QQP.tsv"};
  s.drop_incomplete_rows = true;
  add(s);
  s = {};
  s.name = "MNLI";
  s.labels = {"contradiction", "entailment", "neutral"};
  s.train = s.dev = L(true, 0, 8, 9, kLastColumn, 11);
  s.test = L(true, 0, 8, 9, -1, 10);
  s.dev_files = {"dev_matched.tsv", "dev_mismatched.tsv"};
  s.test_files = {"test_matched.tsv", "test_mismatched.tsv"};
  s.submission_names = {"MNLI-m.tsv", "MNLI-mm.tsv"};
  add(s);
  for (const char* name : {"QNLI", "RTE"}) {
    s = {};
    s.name = name;
    s.labels = {"entailment", "not_entailment"};
    s.train = s.dev = L(true, 0, 1, 2, 3, 4);
    s.test = L(true, 0, 1, 2, -1, 3);
    s.dev_files = {"dev.tsv"};
    s.test_files = {"test.tsv"};
    s.submission_names = {std::string(name) + ".tsv"};
    s.default_epochs = s.name == "RTE" ? 10 : 3;
    add(s);
  }
  s = {};
  s.name = "WNLI";
  s.labels = {"0", "1"};
  s.train = s.dev = L(true, 0, 1, 2, 3, 4);
  s.test = L(true, 0, 1, 2, -1, 3);
  s.dev_files = {"dev.tsv"};
  s.test_files = {"test.tsv"};
  s.submission_names = {"WNLI.tsv"};
  add(s);
  return t;
}

}  // namespace

const std::vector<TaskSpec>& GlueTasks() {
  static const std::vector<TaskSpec>* tasks = new std::vector<TaskSpec>(MakeTasks());
  return *tasks;
}

const TaskSpec* FindTask(const std::string& name) {
  for (const auto& t : GlueTasks()) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

const TaskSpec& AxTask() {
  static const TaskSpec* ax = [] {
    auto* s = new TaskSpec(*FindTask("MNLI"));
    s->name = "AX";
    s->test = L(true, 0, 1, 2, -1, 3);
    s->dev_files = {};
    s->test_files = {};
    s->submission_names = {"AX.tsv"};
    return s;
  }();
  return *ax;
}

std::string FindAxFile(const std::string& data_dir) {
  for (const char* rel : {"diagnostic/diagnostic.tsv", "AX/AX.tsv", "AX/test.tsv", "AX/diagnostic.tsv"}) {
    std::string p = JoinPath(data_dir, rel);
    if (PathExists(p)) return p;
  }
  return "";
}

std::string LabelString(const TaskSpec& task, int label) {
  if (task.regression() || label < 0 || label >= static_cast<int>(task.labels.size())) return "";
  return task.labels[label];
}

absl::StatusOr<std::string> ReadUtf8Text(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  int64_t bad = FindInvalidUtf8(*text);
  if (bad >= 0) {
    int64_t line = 1 + std::count(text->begin(), text->begin() + bad, '\n');
    return absl::InvalidArgumentError(absl::StrFormat("%s:%d: not UTF-8 (invalid byte at offset %d)", path, line, bad));
  }
  if (absl::StartsWith(*text, "\xEF\xBB\xBF")) text->erase(0, 3);
  return text;
}

absl::StatusOr<std::vector<GlueExample>> ReadGlueFile(const TaskSpec& task, const SplitLayout& layout,
                                                      const std::string& path, bool skip_malformed,
                                                      ReadStats* stats) {
  absl::StatusOr<std::string> text = ReadUtf8Text(path);
  if (!text.ok()) return text.status();
  absl::string_view body = *text;
  std::vector<absl::string_view> lines = absl::StrSplit(body, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();  // final newline
  ReadStats local;
  std::vector<GlueExample> out;
  size_t first = layout.header ? 1 : 0;
  if (layout.header && lines.empty()) return absl::InvalidArgumentError(path + ": empty file (expected a header line)");
  for (size_t i = first; i < lines.size(); ++i) {
    absl::string_view line = lines[i];
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    ++local.rows;
    std::vector<absl::string_view> f = absl::StrSplit(line, '\t');
    auto malformed = [&](const std::string& why) -> absl::Status {
      if (skip_malformed) {
        ++local.malformed;
        return absl::OkStatus();
      }
      return absl::InvalidArgumentError(absl::StrFormat(
          "%s:%d: malformed %s row: %s (pass --skip_malformed to skip and count such rows)", path, i + 1, task.name, why));
    };
    int label_col = layout.label == kLastColumn ? static_cast<int>(f.size()) - 1 : layout.label;
    bool incomplete = static_cast<int>(f.size()) < layout.min_columns;
    if (!incomplete && task.drop_incomplete_rows) {
      incomplete = f[layout.text_a].empty() || (layout.text_b >= 0 && f[layout.text_b].empty());
    }
    if (incomplete) {
      if (task.drop_incomplete_rows) {
        ++local.dropped;
        continue;
      }
      absl::Status s = malformed(absl::StrFormat("%d columns, expected at least %d", f.size(), layout.min_columns));
      if (!s.ok()) return s;
      continue;
    }
    GlueExample e;
    e.line = static_cast<int64_t>(i + 1);
    e.id = layout.index >= 0 ? std::string(f[layout.index]) : std::to_string(out.size());
    e.a = std::string(f[layout.text_a]);
    if (layout.text_b >= 0) e.b = std::string(f[layout.text_b]);
    if (layout.label != -1) {
      absl::string_view value = f[label_col];
      if (task.regression()) {
        double score;
        if (!absl::SimpleAtod(value, &score)) {
          absl::Status s = malformed(absl::StrCat("score '", value, "' is not a number"));
          if (!s.ok()) return s;
          continue;
        }
        e.score = static_cast<float>(score);
      } else {
        auto it = std::find(task.labels.begin(), task.labels.end(), value);
        if (it == task.labels.end()) {
          absl::Status s = malformed(absl::StrCat("label '", value, "' is not one of ", absl::StrJoin(task.labels, ", ")));
          if (!s.ok()) return s;
          continue;
        }
        e.label = static_cast<int>(it - task.labels.begin());
      }
    }
    out.push_back(std::move(e));
  }
  if (stats != nullptr) {
    stats->rows += local.rows;
    stats->dropped += local.dropped;
    stats->malformed += local.malformed;
  }
  return out;
}

}  // namespace electra
