// Proves the LibTorch wiring: a tensor op, autograd and a tiny module, on the configured build.
#include <torch/torch.h>

#include "gtest/gtest.h"

namespace electra {
namespace {

TEST(LibTorchSmokeTest, MatmulAndGradient) {
  torch::manual_seed(0);
  auto x = torch::ones({2, 3}, torch::requires_grad());
  auto w = torch::full({3, 1}, 2.0, torch::requires_grad());
  auto y = torch::matmul(x, w).sum();
  y.backward();
  EXPECT_FLOAT_EQ(y.item<float>(), 12.0f);
  EXPECT_TRUE(torch::allclose(w.grad(), torch::full({3, 1}, 2.0)));
}

TEST(LibTorchSmokeTest, LinearModuleRegistersParameters) {
  torch::nn::Linear linear(4, 2);
  auto params = linear->named_parameters();
  EXPECT_TRUE(params.contains("weight"));
  EXPECT_TRUE(params.contains("bias"));
  EXPECT_EQ(linear(torch::zeros({5, 4})).sizes(), (std::vector<int64_t>{5, 2}));
}

}  // namespace
}  // namespace electra
