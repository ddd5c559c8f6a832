// Our GLUE metrics against scikit-learn and SciPy (the official ELECTRA scorers' libraries) on real
// dev predictions written by finetune: tests/golden/metrics/, made by make_metric_goldens.py.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "base/file_util.h"
#include "eval/metrics.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace electra {
namespace {

const char kDir[] = "tests/golden/metrics";

struct Predictions {
  std::vector<std::string> prediction, label;
};

Predictions Read(const std::string& path) {
  Predictions p;
  auto text = ReadFile(path);
  EXPECT_TRUE(text.ok()) << text.status();
  if (!text.ok()) return p;
  std::vector<std::string> lines = absl::StrSplit(*text, '\n', absl::SkipEmpty());
  EXPECT_EQ(lines.front(), "index\tprediction\tlabel");
  for (size_t i = 1; i < lines.size(); ++i) {
    std::vector<std::string> f = absl::StrSplit(lines[i], '\t');
    EXPECT_EQ(f.size(), 3u) << path << ":" << i + 1;
    if (f.size() != 3) continue;
    p.prediction.push_back(f[1]);
    p.label.push_back(f[2]);
  }
  return p;
}

// Class ids in sorted label order ("0" -> 0, "1" -> 1), as scikit-learn orders them.
std::vector<int> Ids(const std::vector<std::string>& v, const std::vector<std::string>& classes) {
  std::vector<int> out;
  for (const auto& x : v) out.push_back(std::find(classes.begin(), classes.end(), x) - classes.begin());
  return out;
}

std::vector<double> Numbers(const std::vector<std::string>& v) {
  std::vector<double> out;
  for (const auto& x : v) {
    double d = 0;
    EXPECT_TRUE(absl::SimpleAtod(x, &d)) << x;
    out.push_back(d);
  }
  return out;
}

TEST(MetricsGoldenTest, MatchesScikitLearnAndScipyOnRealPredictions) {
  auto text = ReadFile(JoinPath(kDir, "goldens.json"));
  ASSERT_TRUE(text.ok()) << text.status();
  nlohmann::json goldens = nlohmann::json::parse(*text);
  ASSERT_GE(goldens.size(), 4u);  // CoLA, SST-2, MRPC, STS-B at least
  for (auto it = goldens.begin(); it != goldens.end(); ++it) {
    const std::string task = it.key();
    Predictions p = Read(JoinPath(kDir, it.value()["file"].get<std::string>()));
    ASSERT_EQ(p.prediction.size(), it.value()["rows"].get<size_t>()) << task;
    std::map<std::string, double> ours;
    if (task == "STS-B") {
      std::vector<double> pred = Numbers(p.prediction), gold = Numbers(p.label);
      ours["pearson"] = 100 * Pearson(pred, gold);
      ours["spearman"] = 100 * Spearman(pred, gold);
      // The task's metrics as finetune computes them, from the same rows.
      auto m = TaskMetrics(task, {}, {}, pred, gold);
      EXPECT_DOUBLE_EQ(m["spearman"], ours["spearman"]);
    } else {
      std::set<std::string> all(p.label.begin(), p.label.end());
      all.insert(p.prediction.begin(), p.prediction.end());
      std::vector<std::string> classes(all.begin(), all.end());
      std::vector<int> pred = Ids(p.prediction, classes), gold = Ids(p.label, classes);
      ours["accuracy"] = 100 * Accuracy(pred, gold);
      ours["mcc"] = 100 * MatthewsCorrelation(pred, gold);
      ours["f1"] = 100 * F1(pred, gold, 1);
    }
    for (auto m = it.value()["metrics"].begin(); m != it.value()["metrics"].end(); ++m) {
      ASSERT_TRUE(ours.count(m.key())) << task << " " << m.key();
      EXPECT_NEAR(ours[m.key()], m.value().get<double>(), 1e-9) << task << " " << m.key();
    }
    // The score the tables use is the paper's metric, and it is among the goldens.
    ASSERT_TRUE(it.value()["metrics"].contains(PrimaryMetric(task))) << task;
    EXPECT_NEAR(TaskScore(task, ours), it.value()["metrics"][PrimaryMetric(task)].get<double>(), 1e-9) << task;
  }
}

}  // namespace
}  // namespace electra
