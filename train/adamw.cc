#include "train/adamw.h"

#include <algorithm>
#include <unordered_set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace electra {

bool ExcludedFromWeightDecay(const std::string& name) {
  return absl::StrContains(name, "LayerNorm") || absl::StrContains(name, "layer_norm") ||
         absl::StrContains(name, "bias");
}

std::vector<ParamGroup> DecayGroups(const std::vector<std::pair<std::string, torch::Tensor>>& params,
                                    double weight_decay) {
  ParamGroup decay, no_decay;
  decay.weight_decay = weight_decay;
  std::unordered_set<void*> seen;
  for (const auto& [name, p] : params) {
    if (!seen.insert(p.unsafeGetTensorImpl()).second) continue;
    ParamGroup& g = ExcludedFromWeightDecay(name) ? no_decay : decay;
    g.names.push_back(name);
    g.params.push_back(p);
  }
  std::vector<ParamGroup> groups;
  if (!decay.params.empty()) groups.push_back(decay);
  if (!no_decay.params.empty()) groups.push_back(no_decay);
  return groups;
}

FlatAdamW::FlatAdamW(std::vector<ParamGroup> groups, AdamWOptions options)
    : groups_(std::move(groups)), options_(options) {
  torch::NoGradGuard no_grad;
  torch::Device device = torch::kCPU;
  for (ParamGroup& g : groups_) {
    int64_t total = 0;
    for (const auto& p : g.params) total += p.numel();
    auto opts = g.params.empty() ? torch::TensorOptions().dtype(torch::kFloat32) : g.params[0].options();
    if (!g.params.empty()) device = g.params[0].device();
    torch::Tensor flat = torch::empty({total}, opts.requires_grad(false));
    torch::Tensor grad = torch::zeros({total}, opts.requires_grad(false));
    int64_t offset = 0;
    for (auto& p : g.params) {
      int64_t n = p.numel();
      flat.narrow(0, offset, n).copy_(p.detach().reshape({n}));
      p.set_data(flat.narrow(0, offset, n).view(p.sizes()));
      p.mutable_grad() = grad.narrow(0, offset, n).view(p.sizes());
      offset += n;
    }
    flat_params_.push_back(flat);
    grads_.push_back(grad);
    m_.push_back(torch::zeros_like(flat));
    v_.push_back(torch::zeros_like(flat));
  }
  skipped_ = torch::zeros({}, torch::TensorOptions().dtype(torch::kInt64).device(device));
  consecutive_ = torch::zeros({}, torch::TensorOptions().dtype(torch::kInt64).device(device));
  applied_ = torch::zeros({}, torch::TensorOptions().dtype(torch::kFloat32).device(device));
}

void FlatAdamW::ZeroGrad() {
  for (auto& g : grads_) g.zero_();
}

torch::Tensor FlatAdamW::Step(const torch::Tensor& lr) {
  torch::NoGradGuard no_grad;
  // Global norm over all groups, in float32.
  torch::Tensor sq = torch::zeros({}, lr.options());
  for (const auto& g : grads_) sq = sq + g.to(torch::kFloat32).pow(2).sum();
  torch::Tensor norm = sq.sqrt();
  torch::Tensor finite = torch::isfinite(norm);
  torch::Tensor keep = finite.to(lr.scalar_type());  // 1 = apply, 0 = skip this step
  skipped_.add_(1 - finite.to(torch::kInt64));
  consecutive_.mul_(1 - finite.to(torch::kInt64)).add_(1 - finite.to(torch::kInt64));

  // clip_by_global_norm: g * clip / max(norm, clip); a non-finite norm scales by 0.
  torch::Tensor scale = keep;
  if (options_.clip_norm > 0) {
    scale = torch::where(finite, options_.clip_norm / torch::clamp_min(norm, options_.clip_norm),
                         torch::zeros_like(norm));
  }
  // With keep = 0 the moments keep their values: beta_eff = 1 - keep * (1 - beta).
  torch::Tensor one_minus_b1 = keep * (1.0 - options_.beta1);
  torch::Tensor one_minus_b2 = keep * (1.0 - options_.beta2);
  torch::Tensor m_scale, v_scale;  // bias correction: 1 / (1 - beta^t)
  if (options_.bias_correction) {
    applied_.add_(keep.to(torch::kFloat32));
    torch::Tensor t = applied_.clamp_min(1.0).to(torch::kFloat64);
    m_scale = (1.0 / (1.0 - torch::pow(options_.beta1, t))).to(lr.scalar_type());
    v_scale = (1.0 / (1.0 - torch::pow(options_.beta2, t))).to(lr.scalar_type());
  }
  for (size_t i = 0; i < groups_.size(); ++i) {
    torch::Tensor& g = grads_[i];
    g.nan_to_num_(0.0, 0.0, 0.0).mul_(scale);
    torch::Tensor& m = m_[i];
    torch::Tensor& v = v_[i];
    m.mul_(1 - one_minus_b1).add_(g * one_minus_b1);
    v.mul_(1 - one_minus_b2).add_(g * g * one_minus_b2);
    torch::Tensor update = options_.bias_correction ? (m * m_scale) / ((v * v_scale).sqrt() + options_.eps)
                                                    : m / (v.sqrt() + options_.eps);
    if (groups_[i].weight_decay > 0) update.add_(flat_params_[i], groups_[i].weight_decay);
    flat_params_[i].sub_(update.mul_(lr * (groups_[i].lr_scale) * keep));
  }
  return norm;
}

std::vector<std::pair<std::string, torch::Tensor>> FlatAdamW::StateTensors() const {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (size_t i = 0; i < groups_.size(); ++i) {
    int64_t offset = 0;
    for (size_t j = 0; j < groups_[i].params.size(); ++j) {
      const auto& p = groups_[i].params[j];
      int64_t n = p.numel();
      out.emplace_back("m/" + groups_[i].names[j], m_[i].narrow(0, offset, n).view(p.sizes()));
      out.emplace_back("v/" + groups_[i].names[j], v_[i].narrow(0, offset, n).view(p.sizes()));
      offset += n;
    }
  }
  out.emplace_back("skipped_steps", skipped_);
  out.emplace_back("consecutive_skipped", consecutive_);
  if (options_.bias_correction) out.emplace_back("applied_steps", applied_);
  return out;
}

absl::Status FlatAdamW::LoadState(const std::map<std::string, torch::Tensor>& state) {
  torch::NoGradGuard no_grad;
  for (auto& [name, target] : StateTensors()) {
    auto it = state.find(name);
    if (it == state.end()) return absl::DataLossError("optimizer state lacks '" + name + "'");
    if (it->second.sizes() != target.sizes()) {
      return absl::DataLossError(absl::StrCat("optimizer state '", name, "' has the wrong shape"));
    }
    torch::Tensor t = target;  // a view into the flat buffer
    t.copy_(it->second.to(t.dtype()));
  }
  return absl::OkStatus();
}

double LearningRate(double peak, int64_t step, int64_t total_steps, int64_t warmup_steps) {
  double decay = total_steps > 0 ? std::max(0.0, 1.0 - static_cast<double>(step) / total_steps) : 1.0;
  double warmup = warmup_steps > 0 ? std::min(1.0, static_cast<double>(step) / warmup_steps) : 1.0;
  return peak * decay * warmup;
}

}  // namespace electra
