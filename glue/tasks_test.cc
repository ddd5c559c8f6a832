#include "glue/tasks.h"

#include "base/file_util.h"
#include "gtest/gtest.h"

namespace electra {
namespace {

int64_t Count(const std::string& task, const std::string& split, const std::string& dir = "data/glue") {
  const TaskSpec* t = FindTask(task);
  EXPECT_NE(t, nullptr);
  const SplitLayout& layout = split == "train" ? t->train : (split.rfind("test", 0) == 0 ? t->test : t->dev);
  ReadStats stats;
  auto rows = ReadGlueFile(*t, layout, JoinPath(JoinPath(dir, task), split + ".tsv"), false, &stats);
  EXPECT_TRUE(rows.ok()) << task << " " << split << ": " << rows.status();
  return rows.ok() ? static_cast<int64_t>(rows->size()) : -1;
}

// Row counts from data/SOURCES.md ("rows" includes the header line where there is one).
TEST(GlueTasksTest, EveryBundledTaskLoadsCompletely) {
  EXPECT_EQ(Count("CoLA", "train"), 8551);  // no header
  EXPECT_EQ(Count("CoLA", "dev"), 1043);    // no header, no final newline
  EXPECT_EQ(Count("CoLA", "test"), 1063);
  EXPECT_EQ(Count("SST-2", "train"), 67349);
  EXPECT_EQ(Count("SST-2", "dev"), 872);
  EXPECT_EQ(Count("SST-2", "test"), 1821);
  EXPECT_EQ(Count("MRPC", "train"), 3668);  // UTF-8 byte-order mark
  EXPECT_EQ(Count("MRPC", "dev"), 408);
  EXPECT_EQ(Count("MRPC", "test"), 1725);
  EXPECT_EQ(Count("STS-B", "train"), 5749);
  EXPECT_EQ(Count("STS-B", "dev"), 1500);
  EXPECT_EQ(Count("STS-B", "test"), 1379);
  EXPECT_EQ(Count("QNLI", "dev"), 5463);
  EXPECT_EQ(Count("QNLI", "test"), 5463);
  EXPECT_EQ(Count("RTE", "train"), 2490);
  EXPECT_EQ(Count("RTE", "dev"), 277);
  EXPECT_EQ(Count("RTE", "test"), 3000);
  EXPECT_EQ(Count("WNLI", "train"), 635);
  EXPECT_EQ(Count("WNLI", "dev"), 71);
  EXPECT_EQ(Count("WNLI", "test"), 146);
}

TEST(GlueTasksTest, FieldsAndLabelsLandInTheRightPlaces) {
  ReadStats stats;
  const TaskSpec& mrpc = *FindTask("MRPC");
  auto rows = *ReadGlueFile(mrpc, mrpc.train, "data/glue/MRPC/train.tsv", false, &stats);
  EXPECT_EQ(rows[0].label, 1);
  EXPECT_EQ(rows[0].a.rfind("Amrozi accused his brother", 0), 0u) << rows[0].a;
  const TaskSpec& cola = *FindTask("CoLA");
  auto c = *ReadGlueFile(cola, cola.dev, "data/glue/CoLA/dev.tsv", false, &stats);
  EXPECT_EQ(c[0].a, "The sailors rode the breeze clear of the rocks.");
  EXPECT_EQ(c[0].label, 1);
  const TaskSpec& sts = *FindTask("STS-B");
  auto s = *ReadGlueFile(sts, sts.dev, "data/glue/STS-B/dev.tsv", false, &stats);
  EXPECT_FLOAT_EQ(s[0].score, 5.0f);
  auto t = *ReadGlueFile(sts, sts.test, "data/glue/STS-B/test.tsv", false, &stats);
  EXPECT_EQ(t[0].id, "0");
  const TaskSpec& rte = *FindTask("RTE");
  auto r = *ReadGlueFile(rte, rte.dev, "data/glue/RTE/dev.tsv", false, &stats);
  EXPECT_EQ(rte.labels[r[0].label], "not_entailment");
}

TEST(GlueTasksTest, MnliQqpAndAxInTheirExactFormat) {
  const std::string dir = "tests/glue_fixtures";
  const TaskSpec& mnli = *FindTask("MNLI");
  ReadStats stats;
  auto train = ReadGlueFile(mnli, mnli.train, dir + "/MNLI/train.tsv", false, &stats);
  ASSERT_TRUE(train.ok()) << train.status();
  EXPECT_EQ(train->size(), 120u);
  auto dev = *ReadGlueFile(mnli, mnli.dev, dir + "/MNLI/dev_matched.tsv", false, &stats);
  EXPECT_EQ(dev.size(), 30u);
  EXPECT_EQ(mnli.labels[dev[0].label], "contradiction");  // gold_label, the last column
  EXPECT_EQ(dev[0].b, "Nobody eats lunch at home.");
  EXPECT_EQ(ReadGlueFile(mnli, mnli.test, dir + "/MNLI/test_mismatched.tsv", false, &stats)->size(), 25u);
  const TaskSpec& qqp = *FindTask("QQP");
  ReadStats q;
  auto qt = *ReadGlueFile(qqp, qqp.train, dir + "/QQP/train.tsv", false, &q);
  EXPECT_EQ(qt.size(), 138u);
  EXPECT_EQ(q.dropped, 2);  // an empty question and a short row
  EXPECT_EQ(ReadGlueFile(qqp, qqp.test, dir + "/QQP/test.tsv", false, &q)->size(), 30u);
  std::string ax = FindAxFile(dir);
  ASSERT_EQ(ax, dir + "/diagnostic/diagnostic.tsv");
  auto a = *ReadGlueFile(AxTask(), AxTask().test, ax, false, &stats);
  EXPECT_EQ(a.size(), 20u);
  EXPECT_FALSE(a[0].b.empty());
}

TEST(GlueTasksTest, MalformedRowsNameFileAndLineOrAreSkipped) {
  std::string path = JoinPath(testing::TempDir(), "bad.tsv");
  ASSERT_TRUE(WriteFileAtomically(path, "sentence\tlabel\ngood \"quoted\" film\t1\nno label here\nbad film\t7\nok\t0").ok());
  const TaskSpec& sst = *FindTask("SST-2");
  ReadStats stats;
  auto strict = ReadGlueFile(sst, sst.train, path, false, &stats);
  ASSERT_FALSE(strict.ok());
  EXPECT_NE(strict.status().message().find("bad.tsv:3: malformed SST-2 row: 1 columns, expected at least 2"),
            std::string::npos)
      << strict.status();
  auto lenient = ReadGlueFile(sst, sst.train, path, true, &stats);
  ASSERT_TRUE(lenient.ok());
  ASSERT_EQ(lenient->size(), 2u);
  EXPECT_EQ((*lenient)[0].a, "good \"quoted\" film");  // quotes are plain characters
  EXPECT_EQ(stats.malformed, 2);                        // the short row and label 7
  ASSERT_TRUE(WriteFileAtomically(path, "sentence\tlabel\nbad film\t7\n").ok());
  EXPECT_NE(ReadGlueFile(sst, sst.train, path, false, &stats).status().message().find("label '7' is not one of 0, 1"),
            std::string::npos);
  EXPECT_TRUE(absl::IsNotFound(ReadGlueFile(sst, sst.train, "nope/train.tsv", false, &stats).status()));
}

}  // namespace
}  // namespace electra
