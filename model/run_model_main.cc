// run_model: runs a model directory (ours or HF's) on inputs from a safetensors file and writes
// the outputs, in float32 and eval mode. For parity checks against HF transformers.
//   run_model --model=DIR --kind=discriminator|generator --input=IN.safetensors --output=OUT.safetensors
// IN holds int64 input_ids, attention_mask, token_type_ids of shape (B, T); OUT gets "logits".
#include "absl/flags/flag.h"
#include "base/tool_main.h"
#include "model/electra.h"
#include "model/model_dir.h"
#include "model/safetensors.h"

ABSL_FLAG(std::string, model, "", "Model directory (config.json + model.safetensors).");
ABSL_FLAG(std::string, kind, "discriminator", "discriminator (ElectraForPreTraining) or generator (ElectraForMaskedLM).");
ABSL_FLAG(std::string, input, "", "safetensors with input_ids, attention_mask, token_type_ids (int64).");
ABSL_FLAG(std::string, output, "", "Where to write the logits (safetensors).");
ABSL_FLAG(std::string, device, "cpu", "cpu or cuda.");

int main(int argc, char** argv) {
  electra::ParseToolFlags(argc, argv, "run_model --model=DIR --kind=discriminator|generator --input=IN --output=OUT");
  return electra::RunTool("run_model", []() -> absl::Status {
    std::string dir = absl::GetFlag(FLAGS_model), kind = absl::GetFlag(FLAGS_kind);
    auto config = electra::ReadModelConfig(dir);
    if (!config.ok()) return config.status();
    auto in = electra::SafetensorsFile::Read(absl::GetFlag(FLAGS_input));
    if (!in.ok()) return in.status();
    torch::Device device(absl::GetFlag(FLAGS_device) == "cuda" ? torch::kCUDA : torch::kCPU);
    auto get = [&](const char* name) { return in->Load(name)->to(torch::kLong).to(device); };
    torch::Tensor ids = get("input_ids"), mask = get("attention_mask"), types = get("token_type_ids");
    torch::NoGradGuard no_grad;
    torch::Tensor logits;
    if (kind == "discriminator") {
      electra::Discriminator d(*config);
      absl::Status s = electra::LoadModelDir(dir, *d);
      if (!s.ok()) return s;
      d->to(device);
      d->eval();
      logits = d(ids, mask, types);
    } else if (kind == "generator") {
      electra::Generator g(*config);
      absl::Status s = electra::LoadModelDir(dir, *g);
      if (!s.ok()) return s;
      g->to(device);
      g->eval();
      logits = g(ids, mask, types);
    } else {
      return electra::FlagError("kind", "must be discriminator or generator");
    }
    return electra::WriteSafetensors(absl::GetFlag(FLAGS_output), {{"logits", logits.to(torch::kFloat32).cpu()}});
  });
}
