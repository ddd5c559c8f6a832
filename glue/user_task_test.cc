#include "glue/user_task.h"

#include <cstdlib>

#include "base/file_util.h"
#include "gtest/gtest.h"

namespace electra {
namespace {

std::string TestDir() {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string dir = JoinPath(tmp != nullptr ? tmp : "/tmp", "user_task_test");
  EXPECT_TRUE(MakeDirectories(dir).ok());
  return dir;
}

std::string Write(const std::string& name, const std::string& text) {
  std::string path = JoinPath(TestDir(), name);
  EXPECT_TRUE(MakeDirectories(Dirname(path)).ok());
  EXPECT_TRUE(WriteFileAtomically(path, text).ok());
  return path;
}

UserTask Task(const std::string& json) {
  absl::StatusOr<UserTask> t = UserTaskFromJson(nlohmann::json::parse(json), "spec.json");
  EXPECT_TRUE(t.ok()) << t.status();
  return t.ok() ? *t : UserTask();
}

std::string SpecError(const std::string& json) {
  absl::StatusOr<UserTask> t = UserTaskFromJson(nlohmann::json::parse(json), "spec.json");
  return t.ok() ? "" : std::string(t.status().message());
}

TEST(UserTaskTest, SpecDefaultsAndChecks) {
  UserTask t = Task(R"({"name": "spam", "text_a": "text", "label": "label"})");
  EXPECT_EQ(t.type, "classification");
  EXPECT_EQ(t.metric, "accuracy");
  EXPECT_EQ(Task(R"({"name": "r", "type": "regression", "text_a": "0", "label": 1})").metric, "spearman");
  EXPECT_EQ(Task(R"({"name": "pos", "type": "tagging"})").format, "conll");
  EXPECT_EQ(Task(R"({"name": "r", "text_a": 0, "label": 1, "header": false})").label, "1");
  EXPECT_NE(SpecError(R"({"text_a": "a", "label": "b"})").find("\"name\" is required"), std::string::npos);
  EXPECT_NE(SpecError(R"({"name": "SST-2", "text_a": "a", "label": "b"})").find("is a GLUE task"), std::string::npos);
  EXPECT_NE(SpecError(R"({"name": "x", "type": "ranking", "text_a": "a", "label": "b"})").find("\"type\" must be one of"),
            std::string::npos);
  EXPECT_NE(SpecError(R"({"name": "x", "text_a": "a", "label": "b", "metric": "spearman"})")
                .find("must be one of accuracy, f1, mcc"),
            std::string::npos);
  EXPECT_NE(SpecError(R"({"name": "x", "text_a": "a"})").find("\"label\""), std::string::npos);
  EXPECT_NE(SpecError(R"({"name": "x", "text_a": "a", "label": "b", "colour": 1})").find("unknown key \"colour\""),
            std::string::npos);
  EXPECT_NE(SpecError(R"({"name": "x", "text_a": "a", "label": "b", "labels": ["p", "p"]})").find("listed twice"),
            std::string::npos);
  EXPECT_NE(SpecError(R"({"name": "x", "text_a": "a", "label": "b", "labels": ["p", "q", "r"], "metric": "f1"})")
                .find("second of two labels"),
            std::string::npos);
  EXPECT_NE(SpecError(R"({"name": "x", "text_a": "text", "label": "1", "header": false})").find("column numbers"),
            std::string::npos);
}

TEST(UserTaskTest, TsvCsvAndJsonLinesGiveTheSameRows) {
  UserTask t = Task(R"({"name": "x", "text_a": "text", "text_b": "other", "label": "label", "id": "id"})");
  std::string tsv = Write("a.tsv", "id\ttext\tother\tlabel\nr1\ta \"quoted\" one\tb\tham\nr2\tc, d\te\tspam\n");
  std::string csv = Write("a.csv", "id,text,other,label\r\nr1,\"a \"\"quoted\"\" one\",b,ham\r\nr2,\"c, d\",e,spam\r\n");
  std::string jsonl = Write("a.jsonl", "{\"id\": \"r1\", \"text\": \"a \\\"quoted\\\" one\", \"other\": \"b\", \"label\": \"ham\"}\n\n"
                                       "{\"id\": \"r2\", \"text\": \"c, d\", \"other\": \"e\", \"label\": \"spam\"}\n");
  for (const auto& [path, format] : std::vector<std::pair<std::string, std::string>>{{tsv, "tsv"}, {csv, "csv"}, {jsonl, "jsonl"}}) {
    absl::StatusOr<std::vector<UserRow>> rows = ReadUserRows(t, path, true, format);
    ASSERT_TRUE(rows.ok()) << format << ": " << rows.status();
    ASSERT_EQ(rows->size(), 2u) << format;
    EXPECT_EQ((*rows)[0].a, "a \"quoted\" one") << format;
    EXPECT_EQ((*rows)[1].a, "c, d") << format;
    EXPECT_EQ((*rows)[1].b, "e") << format;
    EXPECT_EQ((*rows)[1].id, "r2") << format;
    EXPECT_EQ((*rows)[1].label, "spam") << format;
    EXPECT_EQ(FormatOfPath(path), format);
  }
  EXPECT_EQ(DistinctLabels(*ReadUserRows(t, tsv, true, "tsv")), (std::vector<std::string>{"ham", "spam"}));
}

TEST(UserTaskTest, CsvFieldsMaySpanLinesAndRowsKeepTheirFirstLine) {
  UserTask t = Task(R"({"name": "x", "text_a": "text", "label": "label"})");
  std::string csv = Write("multi.csv", "text,label\n\"two\nlines\",a\nplain,b\n");
  absl::StatusOr<std::vector<UserRow>> rows = ReadUserRows(t, csv, true, "csv");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].a, "two\nlines");
  EXPECT_EQ((*rows)[0].line, 2);
  EXPECT_EQ((*rows)[1].line, 4);
  EXPECT_EQ((*rows)[1].id, "1");  // no id column: the row number
  std::string open = Write("open.csv", "text,label\n\"never closed,a\n");
  rows = ReadUserRows(t, open, true, "csv");
  ASSERT_FALSE(rows.ok());
  EXPECT_NE(rows.status().message().find("open.csv:2: malformed CSV: a quoted field is never closed"), std::string::npos)
      << rows.status();
}

TEST(UserTaskTest, BadRowsNameTheFileAndLine) {
  UserTask t = Task(R"({"name": "x", "text_a": "text", "label": "label", "labels": ["ham", "spam"]})");
  std::string short_row = Write("short.tsv", "text\tlabel\nfine\tham\nno label here\n");
  absl::StatusOr<std::vector<UserRow>> rows = ReadUserRows(t, short_row, true, "tsv");
  ASSERT_FALSE(rows.ok());
  EXPECT_NE(rows.status().message().find("short.tsv:3: missing column 'label'"), std::string::npos) << rows.status();

  std::string no_column = Write("nocol.tsv", "sentence\tlabel\nfine\tham\n");
  rows = ReadUserRows(t, no_column, true, "tsv");
  ASSERT_FALSE(rows.ok());
  EXPECT_NE(rows.status().message().find("nocol.tsv:1: no column 'text' (the text_a)"), std::string::npos) << rows.status();

  std::string json_missing = Write("missing.jsonl", "{\"text\": \"a\", \"label\": \"ham\"}\n{\"text\": \"b\"}\n");
  rows = ReadUserRows(t, json_missing, true, "jsonl");
  ASSERT_FALSE(rows.ok());
  EXPECT_NE(rows.status().message().find("missing.jsonl:2: missing column 'label'"), std::string::npos) << rows.status();

  std::string bad_label = Write("badlabel.tsv", "text\tlabel\nfine\tham\nodd\teggs\n");
  rows = ReadUserRows(t, bad_label, true, "tsv");
  ASSERT_TRUE(rows.ok());
  absl::StatusOr<std::vector<GlueExample>> labelled = LabelRows(t, *rows, bad_label, true);
  ASSERT_FALSE(labelled.ok());
  EXPECT_NE(labelled.status().message().find("badlabel.tsv:3: label 'eggs' is not one of the task's labels (ham, spam)"),
            std::string::npos)
      << labelled.status();

  std::string not_utf8 = Write("latin1.csv", "text,label\nfine,ham\ncaf\xe9,spam\n");
  rows = ReadUserRows(t, not_utf8, true, "csv");
  ASSERT_FALSE(rows.ok());
  EXPECT_NE(rows.status().message().find("latin1.csv:3: not UTF-8 (invalid byte at offset 23)"), std::string::npos)
      << rows.status();

  UserTask r = Task(R"({"name": "r", "type": "regression", "text_a": "text", "label": "label"})");
  std::string bad_score = Write("badscore.tsv", "text\tlabel\nfine\t0.5\nodd\thigh\n");
  labelled = LabelRows(r, *ReadUserRows(r, bad_score, true, "tsv"), bad_score, true);
  ASSERT_FALSE(labelled.ok());
  EXPECT_NE(labelled.status().message().find("badscore.tsv:3: regression target 'high' is not a number"), std::string::npos)
      << labelled.status();
  labelled = LabelRows(r, *ReadUserRows(r, Write("goodscore.tsv", "text\tlabel\nfine\t-1.5e1\n"), true, "tsv"), "g", true);
  ASSERT_TRUE(labelled.ok());
  EXPECT_FLOAT_EQ((*labelled)[0].score, -15.0f);
}

TEST(UserTaskTest, ConllSentencesTagsAndErrors) {
  std::string path = Write("tags.conll", "-DOCSTART- O\n\nThe\tat\nfox\tnn\n\n\nran vbd\n");
  absl::StatusOr<std::vector<TaggedSentence>> s = ReadConll(path, true);
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->size(), 2u);
  EXPECT_EQ((*s)[0].words, (std::vector<std::string>{"The", "fox"}));
  EXPECT_EQ((*s)[0].tags, (std::vector<std::string>{"at", "nn"}));
  EXPECT_EQ((*s)[0].line, 3);
  EXPECT_EQ((*s)[1].tags, (std::vector<std::string>{"vbd"}));
  EXPECT_EQ(DistinctTags(*s), (std::vector<std::string>{"at", "nn", "vbd"}));

  std::string mismatch = Write("mismatch.conll", "The\tat\nfox\nran\tvbd\n");
  s = ReadConll(mismatch, true);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("mismatch.conll:2: a token without a tag"), std::string::npos) << s.status();
  EXPECT_NE(s.status().message().find("2 token(s) and 1 tag(s)"), std::string::npos) << s.status();
  EXPECT_TRUE(ReadConll(mismatch, false).ok());  // unlabelled input: tags are optional

  UserTask t = Task(R"({"name": "pos", "type": "tagging", "labels": ["at", "nn"]})");
  s = ReadConll(path, true);
  absl::StatusOr<std::vector<std::vector<int>>> tags = LabelTags(t, *s, path);
  ASSERT_FALSE(tags.ok());
  EXPECT_NE(tags.status().message().find("tags.conll:7: tag 'vbd' is not one of the task's 2 labels"), std::string::npos)
      << tags.status();
}

TEST(UserTaskTest, SpecFileResolvesPathsAndLabelsFile) {
  Write("t/train.conll", "a\tx\n");
  Write("t/dev.conll", "b\ty\n");
  Write("t/tags.txt", "x\ny\n");
  std::string spec = Write("t/spec.json", R"({"name": "t", "type": "tagging", "train": "train.conll", "dev": "dev.conll",
                                              "labels_file": "tags.txt", "metric": "span_f1"})");
  absl::StatusOr<UserTask> t = ReadUserTask(spec);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->train, JoinPath(JoinPath(TestDir(), "t"), "train.conll"));
  EXPECT_EQ(t->labels, (std::vector<std::string>{"x", "y"}));
  std::string missing = Write("t/missing.json", R"({"name": "t", "type": "tagging", "train": "nope.conll", "dev": "dev.conll"})");
  t = ReadUserTask(missing);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("nope.conll does not exist"), std::string::npos) << t.status();
  // The saved description reads back as the same task.
  UserTask spam = Task(R"({"name": "spam", "format": "jsonl", "text_a": "text", "label": "label", "labels": ["ham", "spam"]})");
  absl::StatusOr<UserTask> back = UserTaskFromJson(UserTaskJson(spam), "task.json");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->labels, spam.labels);
  EXPECT_EQ(back->format, "jsonl");
  EXPECT_EQ(back->text_a, "text");
}

}  // namespace
}  // namespace electra
