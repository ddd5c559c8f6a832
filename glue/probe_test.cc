#include "glue/probe.h"

#include "base/file_util.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace electra {
namespace {

torch::Tensor ToTensor(const nlohmann::json& j, torch::Dtype dtype) {
  std::vector<double> flat;
  std::vector<int64_t> shape = {static_cast<int64_t>(j.size())};
  if (j[0].is_array()) {
    shape.push_back(static_cast<int64_t>(j[0].size()));
    for (const auto& row : j)
      for (const auto& v : row) flat.push_back(v.get<double>());
  } else {
    for (const auto& v : j) flat.push_back(v.get<double>());
  }
  return torch::tensor(flat, torch::kFloat64).view(shape).to(dtype);
}

// Against scikit-learn's LogisticRegression on the same data (tests/golden/make_probe_golden.py).
TEST(ProbeTest, LogisticRegressionMatchesScikitLearn) {
  auto text = ReadFile("tests/golden/probe_golden.json");
  ASSERT_TRUE(text.ok()) << text.status();
  nlohmann::json cases = nlohmann::json::parse(*text);
  ASSERT_EQ(cases.size(), 2u);
  for (const auto& c : cases) {
    const int classes = c["classes"];
    SCOPED_TRACE(std::to_string(classes) + " classes");
    torch::Tensor x = ToTensor(c["x"], torch::kFloat64), y = ToTensor(c["y"], torch::kLong);
    auto [w, b] = FitLogisticRegression(x, y, classes, c["c"].get<double>());
    torch::Tensor want_w = ToTensor(c["coef"], torch::kFloat64).t(), want_b = ToTensor(c["intercept"], torch::kFloat64);
    // Logits are defined up to a per-row constant across classes: compare differences to class 0.
    auto centre = [](const torch::Tensor& t) { return t - t.select(-1, 0).unsqueeze(-1); };
    EXPECT_LT((centre(w) - centre(want_w)).abs().max().item<double>(), 1e-4);
    EXPECT_LT((centre(b.unsqueeze(0)) - centre(want_b.unsqueeze(0))).abs().max().item<double>(), 1e-4);
    torch::Tensor predicted = (x.matmul(w) + b).argmax(1);
    EXPECT_TRUE(torch::equal(predicted, ToTensor(c["predictions"], torch::kLong)));
    // The penalty matters on this data: an unpenalized fit differs.
    auto [w_free, b_free] = FitLogisticRegression(x, y, classes, 1e6);
    EXPECT_GT((centre(w_free) - centre(want_w)).abs().max().item<double>(), 1e-2);
  }
}

}  // namespace
}  // namespace electra
