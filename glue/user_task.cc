#include "glue/user_task.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "base/file_util.h"

namespace electra {
namespace {

absl::Status SpecError(const std::string& where, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(where, ": ", what));
}

// The lines of a file, without the final newline and carriage returns.
std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  for (auto& l : lines) {
    if (!l.empty() && l.back() == '\r') l.pop_back();
  }
  return lines;
}

// One record of a delimited file: its fields and the line it starts on.
struct Record {
  std::vector<std::string> fields;
  int64_t line = 0;
};

std::vector<Record> SplitTsv(const std::string& text) {
  std::vector<Record> out;
  std::vector<std::string> lines = Lines(text);
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    out.push_back({absl::StrSplit(lines[i], '\t'), static_cast<int64_t>(i + 1)});
  }
  return out;
}

// RFC 4180: fields separated by commas, optionally quoted; inside quotes "" is a quote and commas
// and newlines are plain characters. Blank lines are skipped.
absl::StatusOr<std::vector<Record>> SplitCsv(const std::string& text, const std::string& path) {
  std::vector<Record> out;
  Record rec;
  std::string field;
  int64_t line = 1;
  bool in_quotes = false, quoted = false, any = false;
  rec.line = 1;
  auto end_field = [&] {
    rec.fields.push_back(field);
    field.clear();
    quoted = false;
  };
  auto end_record = [&] {
    if (any || !rec.fields.empty()) {
      end_field();
      out.push_back(std::move(rec));
    }
    rec = Record();
    field.clear();
    any = quoted = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          in_quotes = false;
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (!any && rec.fields.empty()) rec.line = line;
    if (c == '"' && field.empty() && !quoted) {
      in_quotes = quoted = any = true;
    } else if (c == ',') {
      any = true;
      end_field();
    } else if (c == '\n') {
      end_record();
      ++line;
    } else if (c == '\r' && (i + 1 == text.size() || text[i + 1] == '\n')) {
      // CRLF line ends
    } else {
      if (quoted) {
        return absl::InvalidArgumentError(
            absl::StrFormat("%s:%d: malformed CSV: a character after a closing quote (write \"\" for a quote)", path, line));
      }
      field += c;
      any = true;
    }
  }
  if (in_quotes) {
    return absl::InvalidArgumentError(absl::StrFormat("%s:%d: malformed CSV: a quoted field is never closed", path, rec.line));
  }
  end_record();
  return out;
}

bool IsColumnNumber(const std::string& column) {
  return !column.empty() && std::all_of(column.begin(), column.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The column index of a field in a delimited file: its header name or its number.
absl::StatusOr<int> ColumnIndex(const std::string& column, const std::vector<std::string>* header, const std::string& path,
                                const std::string& role) {
  if (IsColumnNumber(column)) {
    int index = 0;
    if (!absl::SimpleAtoi(column, &index)) return absl::InvalidArgumentError(path + ": column number too large");
    return index;
  }
  if (header == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": the ", role, " column '", column,
                                                   "' is a name but the task says the file has no header (\"header\": "
                                                   "false); give its 0-based number"));
  }
  auto it = std::find(header->begin(), header->end(), column);
  if (it == header->end()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ":1: no column '", column, "' (the ", role,
                                                   ") in the header; it has: ", absl::StrJoin(*header, ", ")));
  }
  return static_cast<int>(it - header->begin());
}

absl::StatusOr<std::vector<UserRow>> RowsFromRecords(const UserTask& task, std::vector<Record> records,
                                                     const std::string& path, bool labelled) {
  std::vector<std::string> header;
  if (task.header) {
    if (records.empty()) return absl::InvalidArgumentError(path + ": empty file (expected a header line)");
    header = records.front().fields;
    records.erase(records.begin());
  }
  const std::vector<std::string>* h = task.header ? &header : nullptr;
  struct Want {
    std::string role;
    const std::string* column;
    std::string UserRow::*field;
  };
  std::vector<Want> wants = {{"text_a", &task.text_a, &UserRow::a}};
  if (!task.text_b.empty()) wants.push_back({"text_b", &task.text_b, &UserRow::b});
  if (!task.id.empty()) wants.push_back({"id", &task.id, &UserRow::id});
  if (labelled) wants.push_back({"label", &task.label, &UserRow::label});
  std::vector<int> index;
  for (const Want& w : wants) {
    absl::StatusOr<int> i = ColumnIndex(*w.column, h, path, w.role);
    if (!i.ok()) return i.status();
    index.push_back(*i);
  }
  std::vector<UserRow> out;
  for (const Record& r : records) {
    UserRow row;
    row.line = r.line;
    for (size_t k = 0; k < wants.size(); ++k) {
      if (index[k] >= static_cast<int>(r.fields.size())) {
        return absl::InvalidArgumentError(absl::StrFormat("%s:%d: missing column '%s' (the %s): the row has %d field(s)",
                                                          path, r.line, *wants[k].column, wants[k].role, r.fields.size()));
      }
      row.*(wants[k].field) = r.fields[index[k]];
    }
    if (task.id.empty()) row.id = std::to_string(out.size());
    out.push_back(std::move(row));
  }
  return out;
}

// A JSON value as a field: strings as they are, numbers and booleans as JSON writes them.
bool JsonField(const nlohmann::json& v, std::string* out) {
  if (v.is_string()) {
    *out = v.get<std::string>();
    return true;
  }
  if (v.is_number() || v.is_boolean()) {
    *out = v.dump();
    return true;
  }
  return false;
}

absl::StatusOr<std::vector<UserRow>> ReadJsonLines(const UserTask& task, const std::string& text,
                                                   const std::string& path, bool labelled) {
  std::vector<UserRow> out;
  std::vector<std::string> lines = Lines(text);
  for (size_t i = 0; i < lines.size(); ++i) {
    if (absl::StripAsciiWhitespace(lines[i]).empty()) continue;
    const int64_t line = static_cast<int64_t>(i + 1);
    nlohmann::json j = nlohmann::json::parse(lines[i], nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      return absl::InvalidArgumentError(absl::StrFormat("%s:%d: not a JSON object", path, line));
    }
    UserRow row;
    row.line = line;
    auto take = [&](const std::string& key, const std::string& role, std::string* field) -> absl::Status {
      if (!j.contains(key) || j[key].is_null()) {
        return absl::InvalidArgumentError(absl::StrFormat("%s:%d: missing column '%s' (the %s)", path, line, key, role));
      }
      if (!JsonField(j[key], field)) {
        return absl::InvalidArgumentError(
            absl::StrFormat("%s:%d: the %s '%s' is not a string or a number", path, line, role, key));
      }
      return absl::OkStatus();
    };
    absl::Status s = take(task.text_a, "text_a", &row.a);
    if (s.ok() && !task.text_b.empty()) s = take(task.text_b, "text_b", &row.b);
    if (s.ok() && !task.id.empty()) s = take(task.id, "id", &row.id);
    if (s.ok() && labelled) s = take(task.label, "label", &row.label);
    if (!s.ok()) return s;
    if (task.id.empty()) row.id = std::to_string(out.size());
    out.push_back(std::move(row));
  }
  return out;
}

const std::vector<std::string>& Types() {
  static const std::vector<std::string> t = {"classification", "regression", "tagging"};
  return t;
}

// The metrics a type can be scored by; the first is the default.
std::vector<std::string> MetricsOfType(const std::string& type) {
  if (type == "regression") return {"spearman", "pearson"};
  if (type == "tagging") return {"accuracy", "span_f1"};
  return {"accuracy", "f1", "mcc"};
}

bool Contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// Reads a string member of the spec ("" when absent); a non-string is an error.
absl::Status StringMember(const nlohmann::json& j, const std::string& key, const std::string& where, std::string* out) {
  if (!j.contains(key) || j[key].is_null()) return absl::OkStatus();
  if (j[key].is_number_integer() && j[key].get<int64_t>() >= 0) {
    *out = std::to_string(j[key].get<int64_t>());  // a column number
    return absl::OkStatus();
  }
  if (!j[key].is_string()) return SpecError(where, "\"" + key + "\" must be a string");
  *out = j[key].get<std::string>();
  return absl::OkStatus();
}

// Checks the fields that do not depend on files.
absl::Status CheckUserTask(UserTask& t, const std::string& where) {
  if (t.name.empty()) return SpecError(where, "\"name\" is required (results go to OUTPUT_DIR/<name>/)");
  if (t.name.find('/') != std::string::npos || t.name == "." || t.name == "..") {
    return SpecError(where, "\"name\" must be a plain folder name");
  }
  if (FindTask(t.name) != nullptr) {
    return SpecError(where, "\"name\": '" + t.name + "' is a GLUE task; name your own task differently");
  }
  if (!Contains(Types(), t.type)) {
    return SpecError(where, "\"type\" must be one of " + absl::StrJoin(Types(), ", ") + " (got '" + t.type + "')");
  }
  if (t.tagging()) {
    if (t.format.empty()) t.format = "conll";
    if (t.format != "conll") return SpecError(where, "a tagging task reads CoNLL-style files (\"format\": \"conll\")");
  } else {
    if (!t.format.empty() && t.format != "tsv" && t.format != "csv" && t.format != "jsonl") {
      return SpecError(where, "\"format\" must be tsv, csv or jsonl (conll for tagging; got '" + t.format + "')");
    }
    if (t.text_a.empty()) return SpecError(where, "\"text_a\" (the column of the first text) is required");
    if (t.label.empty()) return SpecError(where, "\"label\" (the label column) is required");
    if (!t.header) {
      for (const std::string* c : {&t.text_a, &t.text_b, &t.label, &t.id}) {
        if (!c->empty() && !IsColumnNumber(*c)) {
          return SpecError(where, "\"header\": false needs 0-based column numbers, not names like '" + *c + "'");
        }
      }
    }
  }
  std::vector<std::string> metrics = MetricsOfType(t.type);
  if (t.metric.empty()) t.metric = metrics.front();
  if (!Contains(metrics, t.metric)) {
    return SpecError(where, "\"metric\" of a " + t.type + " task must be one of " + absl::StrJoin(metrics, ", ") +
                                " (got '" + t.metric + "')");
  }
  if (t.regression() && !t.labels.empty()) return SpecError(where, "a regression task has no \"labels\"");
  if (!t.regression() && t.labels.size() == 1) return SpecError(where, "\"labels\" must list at least two labels");
  std::set<std::string> seen;
  for (const auto& l : t.labels) {
    if (!seen.insert(l).second) return SpecError(where, "label '" + l + "' is listed twice");
  }
  if (t.metric == "f1" && !t.labels.empty() && t.labels.size() != 2) {
    return SpecError(where, "\"metric\": \"f1\" scores the second of two labels; this task has " +
                                std::to_string(t.labels.size()));
  }
  if (t.epochs < 1) return SpecError(where, "\"epochs\" must be at least 1");
  return absl::OkStatus();
}

}  // namespace

std::string FormatOfPath(const std::string& path) {
  if (absl::EndsWith(path, ".csv")) return "csv";
  if (absl::EndsWith(path, ".jsonl") || absl::EndsWith(path, ".json")) return "jsonl";
  if (absl::EndsWith(path, ".conll")) return "conll";
  return "tsv";
}

absl::StatusOr<UserTask> UserTaskFromJson(const nlohmann::json& j, const std::string& where) {
  if (!j.is_object()) return SpecError(where, "not a JSON object");
  static const std::set<std::string> known = {"name",   "type",  "format", "train", "dev",    "test",   "header",
                                              "text_a", "text_b", "label", "id",    "labels", "labels_file",
                                              "metric", "epochs"};
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!known.count(it.key())) return SpecError(where, "unknown key \"" + it.key() + "\"");
  }
  UserTask t;
  for (auto [key, field] : std::vector<std::pair<std::string, std::string*>>{
           {"name", &t.name}, {"type", &t.type}, {"format", &t.format}, {"train", &t.train}, {"dev", &t.dev},
           {"test", &t.test}, {"text_a", &t.text_a}, {"text_b", &t.text_b}, {"label", &t.label}, {"id", &t.id},
           {"metric", &t.metric}}) {
    absl::Status s = StringMember(j, key, where, field);
    if (!s.ok()) return s;
  }
  if (t.type.empty()) t.type = "classification";
  if (j.contains("header")) {
    if (!j["header"].is_boolean()) return SpecError(where, "\"header\" must be true or false");
    t.header = j["header"].get<bool>();
  }
  if (j.contains("labels")) {
    if (!j["labels"].is_array()) return SpecError(where, "\"labels\" must be a list");
    for (const auto& l : j["labels"]) {
      std::string s;
      if (!JsonField(l, &s)) return SpecError(where, "\"labels\" must hold strings or numbers");
      t.labels.push_back(s);
    }
  }
  if (j.contains("epochs")) {
    if (!j["epochs"].is_number_integer()) return SpecError(where, "\"epochs\" must be an integer");
    t.epochs = j["epochs"].get<int>();
  }
  absl::Status s = CheckUserTask(t, where);
  if (!s.ok()) return s;
  return t;
}

absl::StatusOr<UserTask> ReadUserTask(const std::string& path) {
  absl::StatusOr<std::string> text = ReadUtf8Text(path);
  if (!text.ok()) return absl::Status(text.status().code(), absl::StrCat("--task_spec: ", text.status().message()));
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded()) return SpecError(path, "not JSON");
  absl::StatusOr<UserTask> t = UserTaskFromJson(j, path);
  if (!t.ok()) return t.status();
  const std::string dir = Dirname(path);
  if (t->train.empty() || t->dev.empty()) return SpecError(path, "\"train\" and \"dev\" files are required");
  for (std::string* f : {&t->train, &t->dev, &t->test}) {
    if (f->empty()) continue;
    *f = JoinPath(dir, *f);
    if (!PathExists(*f)) return absl::NotFoundError(absl::StrCat(path, ": ", *f, " does not exist"));
  }
  if (t->format.empty()) t->format = FormatOfPath(t->train);
  if (j.contains("labels_file")) {
    if (!t->labels.empty()) return SpecError(path, "give \"labels\" or \"labels_file\", not both");
    if (!j["labels_file"].is_string()) return SpecError(path, "\"labels_file\" must be a string");
    std::string labels_path = JoinPath(dir, j["labels_file"].get<std::string>());
    absl::StatusOr<std::string> labels = ReadUtf8Text(labels_path);
    if (!labels.ok()) return labels.status();
    for (const std::string& l : Lines(*labels)) {
      if (!l.empty()) t->labels.push_back(l);
    }
    if (t->labels.empty()) return SpecError(labels_path, "no labels in the file");
    absl::Status s = CheckUserTask(*t, path);
    if (!s.ok()) return s;
  }
  return t;
}

nlohmann::ordered_json UserTaskJson(const UserTask& t) {
  nlohmann::ordered_json j;
  j["name"] = t.name;
  j["type"] = t.type;
  j["format"] = t.format;
  if (!t.tagging()) {
    j["header"] = t.header;
    j["text_a"] = t.text_a;
    if (!t.text_b.empty()) j["text_b"] = t.text_b;
    j["label"] = t.label;
    if (!t.id.empty()) j["id"] = t.id;
  }
  if (!t.regression()) j["labels"] = t.labels;
  j["metric"] = t.metric;
  j["epochs"] = t.epochs;
  return j;
}

TaskSpec UserTaskSpec(const UserTask& t) {
  TaskSpec s;
  s.name = t.name;
  s.labels = t.labels;
  s.metric = t.metric;
  s.tagging = t.tagging();
  s.default_epochs = t.epochs;
  return s;
}

UserTask GlueUserTask(const TaskSpec& task) {
  // The header names of each GLUE test file's id and text columns.
  static const std::map<std::string, std::vector<std::string>> columns = {
      {"CoLA", {"index", "sentence", ""}},          {"SST-2", {"index", "sentence", ""}},
      {"MRPC", {"index", "#1 String", "#2 String"}}, {"STS-B", {"index", "sentence1", "sentence2"}},
      {"QQP", {"id", "question1", "question2"}},    {"MNLI", {"index", "sentence1", "sentence2"}},
      {"QNLI", {"index", "question", "sentence"}},  {"RTE", {"index", "sentence1", "sentence2"}},
      {"WNLI", {"index", "sentence1", "sentence2"}}};
  UserTask t;
  t.name = task.name;
  t.type = task.regression() ? "regression" : "classification";
  t.format = "tsv";
  t.header = true;
  auto it = columns.find(task.name);
  if (it != columns.end()) {
    t.id = it->second[0];
    t.text_a = it->second[1];
    t.text_b = it->second[2];
  }
  t.label = "label";
  t.labels = task.labels;
  t.metric = task.metric.empty() ? (task.name == "CoLA" ? "mcc" : task.regression() ? "spearman" : "accuracy") : task.metric;
  t.epochs = task.default_epochs;
  return t;
}

absl::StatusOr<std::vector<UserRow>> ReadUserRows(const UserTask& task, const std::string& path, bool labelled,
                                                  const std::string& format) {
  absl::StatusOr<std::string> text = ReadUtf8Text(path);
  if (!text.ok()) return text.status();
  if (format == "jsonl") return ReadJsonLines(task, *text, path, labelled);
  if (format == "csv") {
    absl::StatusOr<std::vector<Record>> records = SplitCsv(*text, path);
    if (!records.ok()) return records.status();
    return RowsFromRecords(task, *std::move(records), path, labelled);
  }
  if (format == "tsv") return RowsFromRecords(task, SplitTsv(*text), path, labelled);
  return absl::InvalidArgumentError(absl::StrCat(path, ": cannot read format '", format, "' as rows"));
}

absl::StatusOr<std::vector<TaggedSentence>> ReadConll(const std::string& path, bool labelled) {
  absl::StatusOr<std::string> text = ReadUtf8Text(path);
  if (!text.ok()) return text.status();
  std::vector<TaggedSentence> out;
  TaggedSentence current;
  std::vector<std::string> lines = Lines(*text);
  for (size_t i = 0; i <= lines.size(); ++i) {
    const bool blank = i == lines.size() || absl::StripAsciiWhitespace(lines[i]).empty();
    if (blank) {
      if (!current.words.empty()) out.push_back(std::move(current));
      current = TaggedSentence();
      continue;
    }
    const int64_t line = static_cast<int64_t>(i + 1);
    std::vector<std::string> f = absl::StrSplit(lines[i], absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (f.front() == "-DOCSTART-") continue;
    if (labelled && f.size() < 2) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "%s:%d: a token without a tag (expected 'token<TAB>tag'; the sentence has %d token(s) and %d tag(s) so far)",
          path, line, current.words.size() + 1, current.tags.size()));
    }
    if (current.words.empty()) current.line = line;
    current.words.push_back(f.front());
    if (labelled) current.tags.push_back(f.back());
  }
  return out;
}

absl::StatusOr<std::vector<GlueExample>> LabelRows(const UserTask& task, const std::vector<UserRow>& rows,
                                                   const std::string& path, bool labelled) {
  std::vector<GlueExample> out;
  out.reserve(rows.size());
  for (const UserRow& r : rows) {
    GlueExample e;
    e.id = r.id;
    e.a = r.a;
    e.b = r.b;
    e.line = r.line;
    if (labelled) {
      if (task.regression()) {
        double v;
        if (!absl::SimpleAtod(absl::StripAsciiWhitespace(r.label), &v) || !std::isfinite(v)) {
          return absl::InvalidArgumentError(
              absl::StrFormat("%s:%d: regression target '%s' is not a number", path, r.line, r.label));
        }
        e.score = static_cast<float>(v);
      } else {
        auto it = std::find(task.labels.begin(), task.labels.end(), r.label);
        if (it == task.labels.end()) {
          return absl::InvalidArgumentError(absl::StrFormat("%s:%d: label '%s' is not one of the task's labels (%s)", path,
                                                            r.line, r.label, absl::StrJoin(task.labels, ", ")));
        }
        e.label = static_cast<int>(it - task.labels.begin());
      }
    }
    out.push_back(std::move(e));
  }
  return out;
}

absl::StatusOr<std::vector<std::vector<int>>> LabelTags(const UserTask& task, const std::vector<TaggedSentence>& sentences,
                                                        const std::string& path) {
  std::map<std::string, int> index;
  for (size_t i = 0; i < task.labels.size(); ++i) index[task.labels[i]] = static_cast<int>(i);
  std::vector<std::vector<int>> out;
  out.reserve(sentences.size());
  for (const TaggedSentence& s : sentences) {
    std::vector<int> tags;
    for (size_t w = 0; w < s.tags.size(); ++w) {
      auto it = index.find(s.tags[w]);
      if (it == index.end()) {
        return absl::InvalidArgumentError(
            absl::StrFormat("%s:%d: tag '%s' is not one of the task's %d labels", path, s.line + w, s.tags[w], index.size()));
      }
      tags.push_back(it->second);
    }
    out.push_back(std::move(tags));
  }
  return out;
}

absl::Status FillDefaultLabels(UserTask* task, const std::string& spec_path) {
  if (task->labels.empty() && !task->regression()) {
    if (task->tagging()) {
      absl::StatusOr<std::vector<TaggedSentence>> train = ReadConll(task->train, true);
      if (!train.ok()) return train.status();
      task->labels = DistinctTags(*train);
    } else {
      absl::StatusOr<std::vector<UserRow>> train = ReadUserRows(*task, task->train, true, task->format);
      if (!train.ok()) return train.status();
      task->labels = DistinctLabels(*train);
    }
    if (task->labels.size() < 2) {
      return absl::InvalidArgumentError(absl::StrCat(task->train, ": fewer than two distinct labels to learn"));
    }
    if (task->metric == "f1" && task->labels.size() != 2) {
      return absl::InvalidArgumentError(absl::StrCat(spec_path, ": \"metric\": \"f1\" needs two labels; ", task->train,
                                                     " has ", task->labels.size()));
    }
  }
  return absl::OkStatus();
}

std::vector<std::string> DistinctLabels(const std::vector<UserRow>& rows) {
  std::set<std::string> s;
  for (const auto& r : rows) s.insert(r.label);
  return {s.begin(), s.end()};
}

std::vector<std::string> DistinctTags(const std::vector<TaggedSentence>& sentences) {
  std::set<std::string> s;
  for (const auto& x : sentences) s.insert(x.tags.begin(), x.tags.end());
  return {s.begin(), s.end()};
}

}  // namespace electra
