// compare_weights: compares the tensors of two safetensors files (or model directories):
// prints the largest absolute difference and exits 1 if any exceeds --atol + --rtol * |b|.
#include <cstdio>

#include "absl/flags/flag.h"
#include "absl/strings/str_format.h"
#include "base/file_util.h"
#include "base/tool_main.h"
#include "model/safetensors.h"

ABSL_FLAG(double, atol, 1e-5, "Absolute tolerance.");
ABSL_FLAG(double, rtol, 1e-4, "Relative tolerance.");

int main(int argc, char** argv) {
  std::vector<std::string> args = electra::ParseToolFlags(
      argc, argv, "compare_weights [--atol=X] [--rtol=X] A B   (safetensors files or model directories)", true);
  return electra::RunTool("compare_weights", [&]() -> absl::Status {
    if (args.size() != 2) return absl::InvalidArgumentError("expected two files or model directories");
    for (auto& a : args) {
      if (electra::IsDirectory(a)) a = electra::JoinPath(a, "model.safetensors");
    }
    auto a = electra::SafetensorsFile::Read(args[0]);
    if (!a.ok()) return a.status();
    auto b = electra::SafetensorsFile::Read(args[1]);
    if (!b.ok()) return b.status();
    double worst = 0;
    std::string worst_name;
    int bad = 0;
    for (const auto& e : a->entries()) {
      if (b->Find(e.name) == nullptr) return absl::NotFoundError(args[1] + " lacks " + e.name);
      torch::Tensor x = a->Load(e.name)->to(torch::kFloat64), y = b->Load(e.name)->to(torch::kFloat64);
      if (x.sizes() != y.sizes()) return absl::InvalidArgumentError(e.name + ": shapes differ");
      double diff = (x - y).abs().max().item<double>();
      bool ok = torch::allclose(x, y, absl::GetFlag(FLAGS_rtol), absl::GetFlag(FLAGS_atol));
      bad += !ok;
      if (diff > worst) {
        worst = diff;
        worst_name = e.name;
      }
    }
    if (a->entries().size() != b->entries().size()) {
      return absl::InvalidArgumentError("the files hold different numbers of tensors");
    }
    std::printf("%zu tensors; max abs difference %.3g (%s); %d beyond tolerance\n", a->entries().size(), worst,
                worst_name.c_str(), bad);
    if (bad > 0) return absl::OutOfRangeError(absl::StrFormat("%d tensor(s) differ beyond tolerance", bad));
    return absl::OkStatus();
  });
}
