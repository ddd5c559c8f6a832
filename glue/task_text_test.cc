#include "glue/task_text.h"

#include <algorithm>
#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "base/file_util.h"
#include "gtest/gtest.h"

namespace electra {
namespace {

std::string TestDir(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string dir = JoinPath(JoinPath(tmp != nullptr ? tmp : "/tmp", "task_text_test"), name);
  EXPECT_TRUE(MakeDirectories(dir).ok());
  return dir;
}

std::vector<std::string> Lines(const std::string& path) {
  auto text = ReadFile(path);
  EXPECT_TRUE(text.ok()) << text.status();
  return absl::StrSplit(text.ok() ? *text : "", '\n');
}

TEST(TaskTextTest, WritesTheTrainingSentencesOfTheBundledTasksWithoutLabels) {
  TaskTextOptions o;
  o.data_dir = "data/glue";
  o.tasks = {"CoLA", "RTE"};
  o.output = JoinPath(TestDir("bundled"), "text.txt");
  o.examples_per_document = 100;
  auto report = WriteTaskText(o);
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_EQ(report->examples.size(), 2u);
  EXPECT_EQ(report->examples[0], std::make_pair(std::string("CoLA"), int64_t{8551}));
  EXPECT_EQ(report->examples[1], std::make_pair(std::string("RTE"), int64_t{2490}));
  // One line per CoLA sentence, two per RTE pair; documents of 100 examples, each task closed.
  EXPECT_EQ(report->lines, 8551 + 2 * 2490);
  EXPECT_EQ(report->documents, 86 + 25);
  std::vector<std::string> lines = Lines(o.output);
  EXPECT_EQ(lines[0], "Our friends won't buy this analysis, let alone the next one we propose.");
  EXPECT_EQ(lines[100], "");  // the first document break, after 100 CoLA sentences
  // RTE's first pair, premise then hypothesis, right after CoLA's last document.
  const std::string premise = "No Weapons of Mass Destruction Found in Iraq Yet.";
  auto at = std::find(lines.begin(), lines.end(), premise);
  ASSERT_NE(at, lines.end());
  EXPECT_EQ(*(at - 1), "");
  EXPECT_EQ(*(at + 1), "Weapons of Mass Destruction Found in Iraq.");
  for (const std::string& line : lines) {
    EXPECT_NE(line, "not_entailment");
    EXPECT_FALSE(absl::StrContains(line, "\t")) << line;  // no columns, no labels
  }
  // The dev set's first sentence is not written (dev and test are never read).
  EXPECT_EQ(std::count(lines.begin(), lines.end(), "The sailors rode the breeze clear of the rocks."), 0);
}

TEST(TaskTextTest, DocumentBreaksFollowTheRequestedSize) {
  std::string dir = TestDir("small");
  ASSERT_TRUE(MakeDirectories(JoinPath(dir, "SST-2")).ok());
  ASSERT_TRUE(WriteFileAtomically(JoinPath(dir, "SST-2/train.tsv"), "sentence\tlabel\na\t0\nb\t1\nc\t0\n").ok());
  TaskTextOptions o;
  o.data_dir = dir;
  o.tasks = {"SST-2"};
  o.output = JoinPath(dir, "out.txt");
  o.examples_per_document = 2;
  auto report = WriteTaskText(o);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(*ReadFile(o.output), "a\nb\n\nc\n\n");
  EXPECT_EQ(report->documents, 2);
}

TEST(TaskTextTest, BadInputIsAnErrorThatLeavesAnOldOutputAlone) {
  std::string dir = TestDir("bad");
  std::string out = JoinPath(dir, "out.txt");
  ASSERT_TRUE(WriteFileAtomically(out, "old text\n").ok());
  TaskTextOptions o;
  o.data_dir = dir;
  o.output = out;

  o.tasks = {"SST-3"};
  auto unknown = WriteTaskText(o);
  ASSERT_FALSE(unknown.ok());
  EXPECT_TRUE(absl::StrContains(unknown.status().message(), "unknown GLUE task 'SST-3'")) << unknown.status();
  EXPECT_TRUE(absl::StrContains(unknown.status().message(), "CoLA, SST-2")) << unknown.status();
  EXPECT_EQ(*ReadFile(out), "old text\n");

  o.tasks = {"RTE"};
  auto missing = WriteTaskText(o);
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(absl::StrContains(missing.status().message(), JoinPath(dir, "RTE/train.tsv"))) << missing.status();
  EXPECT_EQ(*ReadFile(out), "old text\n");

  ASSERT_TRUE(MakeDirectories(JoinPath(dir, "SST-2")).ok());
  ASSERT_TRUE(WriteFileAtomically(JoinPath(dir, "SST-2/train.tsv"), "sentence\tlabel\ngood\t1\nno label here\n").ok());
  o.tasks = {"SST-2"};
  auto malformed = WriteTaskText(o);
  ASSERT_FALSE(malformed.ok());
  EXPECT_TRUE(absl::StrContains(malformed.status().message(), "SST-2/train.tsv")) << malformed.status();
  EXPECT_TRUE(absl::StrContains(malformed.status().message(), "SST-2/train.tsv:3:")) << malformed.status();
  EXPECT_EQ(*ReadFile(out), "old text\n");

  o.skip_malformed = true;  // the bad row skipped and counted
  auto skipped = WriteTaskText(o);
  ASSERT_TRUE(skipped.ok()) << skipped.status();
  EXPECT_EQ(skipped->malformed, 1);
  EXPECT_EQ(*ReadFile(out), "good\n\n");
  ASSERT_TRUE(WriteFileAtomically(out, "old text\n").ok());

  o.examples_per_document = 0;
  EXPECT_FALSE(WriteTaskText(o).ok());
  EXPECT_EQ(*ReadFile(out), "old text\n");

  o.examples_per_document = 32;
  o.tasks = {};
  auto none = WriteTaskText(o);
  ASSERT_FALSE(none.ok());
  EXPECT_TRUE(absl::StrContains(none.status().message(), "no task given")) << none.status();
  EXPECT_EQ(*ReadFile(out), "old text\n");
}

}  // namespace
}  // namespace electra
