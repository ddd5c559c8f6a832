#!/usr/bin/python3
"""Golden file for one whole ELECTRA update (tests/golden/electra_step.safetensors).

An independent implementation in plain PyTorch tensor operations, written from the formulas of
the official ELECTRA code (google-research/electra: run_pretraining.py, pretrain_helpers.py,
model/modeling.py, model/optimization.py), not from this project's C++:

  generator MLM loss at the masked slots (sum / (count + 1e-6)); Gumbel-max sampling
  argmax(logits + g), g = -log(-log(U + 1e-9) + 1e-9); the sampled ids scattered into the
  unmasked input with scatter_update's rule (updates to position 0 ignored, a position named by
  several slots gets floor(sum / count)); labels = replaced and != original; sigmoid
  cross-entropy over real tokens; loss = gen + 50 disc; the global gradient norm; clipping at 1.0;
  AdamWeightDecayOptimizer (no bias correction, eps 1e-6, decay 0.01 except LayerNorm and
  biases); lr = peak * (1 - t / T) * min(1, t / warmup).

Two consecutive updates (steps 4 and 5 of a 100-step schedule with a 10-step warmup) from given
weights, a given batch (one example has a duplicated masked position, one an unused slot) and
given noise. Run with Debian's python3-torch (1.13):  /usr/bin/python3 tests/golden/make_step_golden.py
CI only reads the committed output.

With --mlm it writes tests/golden/mlm_step.safetensors instead: BERT's masked LM alone (the
official electra_objective=False): one encoder the discriminator's size (its heads and FFN) with
the generator's head and the tied word embeddings, loss = the MLM loss, the same optimizer.
"""
import json
import math
import os
import struct
import sys

import torch

MLM = "--mlm" in sys.argv
torch.manual_seed(20261201)
DT = torch.float64  # the reference runs in float64; the test compares float32 within ~1e-5

V, E, HD, HG, L, F_D, F_G, T, B, P = 40, 16, 32, 24, 2, 64, 96, 16, 3, 3
GEN_FRACTION = 0.75  # generator hidden 24 = round(32 * 0.75), 1 head, FFN 4 * 24
HEADS_D, HEADS_G = 2, 1
if MLM:  # one encoder of the discriminator's shape
    HG, F_G, HEADS_G = HD, F_D, HEADS_D
CLS, SEP, MASK, PAD = 2, 3, 4, 0
PEAK_LR, TOTAL, WARMUP, STEPS = 1e-2, 100, 10, (4, 5)
GEN_WEIGHT, DISC_WEIGHT = 1.0, 50.0
BETA1, BETA2, EPS, DECAY, CLIP = 0.9, 0.999, 1e-6, 0.01, 1.0


def rand(*shape, std=0.2):
    return (torch.randn(*shape, dtype=DT) * std)


# ---- weights (HF names; the embeddings are one set of tensors shared by both towers) ----
params = {}
def add(name, t):
    params[name] = t.clone().requires_grad_(True)

add("emb.word", rand(V, E))
add("emb.position", rand(T, E))
add("emb.token_type", rand(2, E))
add("emb.ln.weight", 1 + rand(E, std=0.1))
add("emb.ln.bias", rand(E, std=0.1))
for tower, H, F in ((("generator", HG, F_G),) if MLM else (("discriminator", HD, F_D), ("generator", HG, F_G))):
    add(f"{tower}/electra.embeddings_project.weight", rand(H, E))
    add(f"{tower}/electra.embeddings_project.bias", rand(H, std=0.05))
    for i in range(L):
        p = f"{tower}/electra.encoder.layer.{i}."
        for m in ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"):
            add(p + m + ".weight", rand(H, H))
            add(p + m + ".bias", rand(H, std=0.05))
        add(p + "attention.output.LayerNorm.weight", 1 + rand(H, std=0.1))
        add(p + "attention.output.LayerNorm.bias", rand(H, std=0.1))
        add(p + "intermediate.dense.weight", rand(F, H))
        add(p + "intermediate.dense.bias", rand(F, std=0.05))
        add(p + "output.dense.weight", rand(H, F))
        add(p + "output.dense.bias", rand(H, std=0.05))
        add(p + "output.LayerNorm.weight", 1 + rand(H, std=0.1))
        add(p + "output.LayerNorm.bias", rand(H, std=0.1))
if not MLM:
    add("discriminator/discriminator_predictions.dense.weight", rand(HD, HD))
    add("discriminator/discriminator_predictions.dense.bias", rand(HD, std=0.05))
    add("discriminator/discriminator_predictions.dense_prediction.weight", rand(1, HD, std=0.5))
    add("discriminator/discriminator_predictions.dense_prediction.bias", rand(1, std=0.1))
add("generator/generator_predictions.dense.weight", rand(E, HG))
add("generator/generator_predictions.dense.bias", rand(E, std=0.05))
add("generator/generator_predictions.LayerNorm.weight", 1 + rand(E, std=0.1))
add("generator/generator_predictions.LayerNorm.bias", rand(E, std=0.1))
add("generator/generator_lm_head.bias", rand(V, std=0.1))

SHARED = {"emb.word": "electra.embeddings.word_embeddings.weight",
          "emb.position": "electra.embeddings.position_embeddings.weight",
          "emb.token_type": "electra.embeddings.token_type_embeddings.weight",
          "emb.ln.weight": "electra.embeddings.LayerNorm.weight",
          "emb.ln.bias": "electra.embeddings.LayerNorm.bias"}


def hf_names(name):
    """The checkpoint keys a reference tensor has (shared embeddings: one per tower)."""
    if name in SHARED:
        return [f"generator/{SHARED[name]}"] if MLM else [f"discriminator/{SHARED[name]}", f"generator/{SHARED[name]}"]
    return [name]


# ---- the model, from modeling.py's formulas ----
def layer_norm(x, w, b):
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + 1e-12) * w + b


def gelu(x):
    return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))


def dense(x, name):
    return x @ params[name + ".weight"].t() + params[name + ".bias"]


def transformer(tower, heads, ids, types, mask):
    x = params["emb.word"][ids] + params["emb.position"][:T].unsqueeze(0) + params["emb.token_type"][types]
    x = layer_norm(x, params["emb.ln.weight"], params["emb.ln.bias"])
    x = dense(x, f"{tower}/electra.embeddings_project")
    H = x.shape[-1]
    D = H // heads
    adder = (1.0 - mask.to(DT))[:, None, None, :] * -10000.0  # create_attention_mask_from_input_mask
    for i in range(L):
        p = f"{tower}/electra.encoder.layer.{i}."
        def split(t):
            return t.view(B, T, heads, D).transpose(1, 2)
        q = split(dense(x, p + "attention.self.query"))
        k = split(dense(x, p + "attention.self.key"))
        v = split(dense(x, p + "attention.self.value"))
        scores = q @ k.transpose(-1, -2) / math.sqrt(D) + adder
        context = (torch.softmax(scores, -1) @ v).transpose(1, 2).reshape(B, T, H)
        a = layer_norm(dense(context, p + "attention.output.dense") + x,
                       params[p + "attention.output.LayerNorm.weight"], params[p + "attention.output.LayerNorm.bias"])
        f = gelu(dense(a, p + "intermediate.dense"))
        x = layer_norm(dense(f, p + "output.dense") + a,
                       params[p + "output.LayerNorm.weight"], params[p + "output.LayerNorm.bias"])
    return x


def scatter_update(sequence, updates, positions):
    """pretrain_helpers.scatter_update for int sequences: position 0 ignored, duplicates floor-averaged."""
    out = sequence.clone()
    for b in range(sequence.shape[0]):
        sums, counts = {}, {}
        for s in range(positions.shape[1]):
            pos = int(positions[b, s])
            sums[pos] = sums.get(pos, 0) + int(updates[b, s])
            counts[pos] = counts.get(pos, 0) + 1
        for pos, total in sums.items():
            if pos == 0:
                continue
            out[b, pos] = total // counts[pos]
    return out


# ---- the batch: [CLS] A [SEP] B [SEP] pad..., masked positions chosen here ----
lengths = [16, 12, 9]
input_ids = torch.zeros(B, T, dtype=torch.long)
token_type = torch.zeros(B, T, dtype=torch.long)
attention = torch.zeros(B, T, dtype=torch.long)
for b, n in enumerate(lengths):
    ids = [CLS] + [int(t) for t in torch.randint(5, V, (n - 2,))] + [SEP]
    ids[n // 2] = SEP
    input_ids[b, :n] = torch.tensor(ids)
    attention[b, :n] = 1
    token_type[b, n // 2 + 1:n] = 1
# Example 0: three distinct slots; example 1: position 3 drawn twice (official with-replacement
# masking); example 2: two used slots and an unused one (position 0, weight 0).
positions = torch.tensor([[1, 5, 14], [3, 7, 3], [2, 6, 0]])
weights = torch.tensor([[1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [1.0, 1.0, 0.0]], dtype=DT)
labels = torch.stack([input_ids[b, positions[b]] for b in range(B)]) * weights.long()
masked_ids = input_ids.clone()
for b, s in ((0, 0), (0, 2), (1, 0), (1, 1), (2, 1)):  # 85% [MASK] in effect; the rest keep their token
    masked_ids[b, positions[b, s]] = MASK


def forward(uniform):
    """Both losses, the sampled ids and the labels (run_pretraining.PretrainingModel)."""
    hidden = transformer("generator", HEADS_G, masked_ids, token_type, attention)  # (B, T, HG)
    relevant = torch.stack([hidden[b, positions[b]] for b in range(B)])           # (B, P, HG)
    h = gelu(dense(relevant, "generator/generator_predictions.dense"))
    h = layer_norm(h, params["generator/generator_predictions.LayerNorm.weight"],
                   params["generator/generator_predictions.LayerNorm.bias"])
    logits = h @ params["emb.word"].t() + params["generator/generator_lm_head.bias"]  # (B, P, V)
    log_probs = torch.log_softmax(logits, -1)
    per_slot = -log_probs.gather(-1, labels.unsqueeze(-1)).squeeze(-1)
    gen_loss = (weights * per_slot).sum() / (weights.sum() + 1e-6)
    if MLM:
        return gen_loss, torch.zeros((), dtype=DT), None, None, None, float("inf")
    with torch.no_grad():
        gumbel = -torch.log(-torch.log(uniform + 1e-9) + 1e-9)
        noisy = logits.detach().float().double() + gumbel
        top2 = noisy.topk(2, -1).values
        margin = float((top2[..., 0] - top2[..., 1]).min())
        sampled = noisy.argmax(-1)
        # Unused slots point at position 0, which scatter_update ignores.
        fake = scatter_update(input_ids, sampled, positions * weights.long())
        is_fake = ((fake != input_ids) & (attention > 0)).to(DT)
    h = transformer("discriminator", HEADS_D, fake, token_type, attention)
    h = gelu(dense(h, "discriminator/discriminator_predictions.dense"))
    disc_logits = dense(h, "discriminator/discriminator_predictions.dense_prediction").squeeze(-1)
    bce = torch.clamp(disc_logits, min=0) - disc_logits * is_fake + torch.log1p(torch.exp(-disc_logits.abs()))
    real = attention.to(DT)
    disc_loss = (bce * real).sum() / (real.sum() + 1e-6)
    return gen_loss, disc_loss, sampled, fake, is_fake, margin


def excluded_from_decay(name):
    full = hf_names(name)[0]
    return "LayerNorm" in full or "layer_norm" in full or "bias" in full or name == "emb.ln.weight"


out = {}
meta = {"V": V, "E": E, "hidden_d": HD, "hidden_g": HG, "layers": L, "ffn_d": F_D, "ffn_g": F_G, "T": T, "B": B, "P": P,
        "heads_d": HEADS_D, "heads_g": HEADS_G, "generator_fraction": GEN_FRACTION, "peak_lr": PEAK_LR, "total_steps": TOTAL, "warmup_steps": WARMUP,
        "steps": list(STEPS), "cls": CLS, "sep": SEP, "mask": MASK, "objective": "mlm" if MLM else "electra"}

for name, t in params.items():
    for key in hf_names(name):
        out["before/" + key] = t.detach().clone()
out["batch/input_ids"] = input_ids
out["batch/masked_ids"] = masked_ids
out["batch/attention_mask"] = attention
out["batch/token_type_ids"] = token_type
out["batch/masked_positions"] = positions
out["batch/masked_weights"] = weights
out["batch/masked_labels"] = labels

# The discriminator's gradient reaches the shared embeddings: the gradient of 50 * disc_loss
# alone, at the initial weights and the first step's noise.
uniforms = [torch.rand(B, P, V, dtype=torch.float32) for _ in STEPS]
if not MLM:
    _, disc_loss, _, _, _, _ = forward(uniforms[0].double())
    grads = torch.autograd.grad(DISC_WEIGHT * disc_loss, [params[k] for k in SHARED])
    for k, g in zip(SHARED, grads):
        out["disc_grad/" + SHARED[k]] = g

m = {k: torch.zeros_like(t) for k, t in params.items()}
v = {k: torch.zeros_like(t) for k, t in params.items()}
for i, step in enumerate(STEPS):
    uniform = uniforms[i]
    gen_loss, disc_loss, sampled, fake, is_fake, margin = forward(uniform.double())
    assert margin > 1e-3, f"a sampling tie within {margin}: change the seed"
    loss = gen_loss if MLM else GEN_WEIGHT * gen_loss + DISC_WEIGHT * disc_loss
    grads = torch.autograd.grad(loss, list(params.values()))
    norm = torch.sqrt(sum((g ** 2).sum() for g in grads))
    scale = CLIP / max(float(norm), CLIP)
    lr = PEAK_LR * max(0.0, 1 - step / TOTAL) * min(1.0, step / WARMUP)
    with torch.no_grad():
        for (name, p), g in zip(params.items(), grads):
            g = g * scale
            m[name] = BETA1 * m[name] + (1 - BETA1) * g
            v[name] = BETA2 * v[name] + (1 - BETA2) * g * g
            update = m[name] / (torch.sqrt(v[name]) + EPS)
            if not excluded_from_decay(name):
                update = update + DECAY * p
            p -= lr * update
    out[f"step{i}/noise"] = uniform
    if not MLM:
        out[f"step{i}/fake"] = fake
        out[f"step{i}/labels"] = is_fake
    out[f"step{i}/scalars"] = torch.tensor([float(gen_loss), float(disc_loss), float(loss), float(norm), lr], dtype=DT)
    for name, t in params.items():
        for key in hf_names(name):
            out[f"step{i}/after/" + key] = t.detach().clone()
    print(f"step {step}: gen {float(gen_loss):.6f} disc {float(disc_loss):.6f} loss {float(loss):.6f} "
          f"grad norm {float(norm):.6f} lr {lr:.6g}" +
          ("" if MLM else f" replaced {int(is_fake.sum())} sampling margin {margin:.4f}"),
          file=sys.stderr)


# ---- safetensors (8-byte little-endian header length, JSON header, raw little-endian data) ----
def write_safetensors(path, tensors, metadata):
    dtypes = {torch.float32: "F32", torch.float64: "F32", torch.int64: "I64"}
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous()
        if t.dtype == torch.float64:
            t = t.float()
        data = t.numpy().tobytes()
        header[name] = {"dtype": dtypes[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path + ".tmp", "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)
    os.replace(path + ".tmp", path)


here = os.path.dirname(os.path.abspath(__file__))
name = "mlm_step.safetensors" if MLM else "electra_step.safetensors"
write_safetensors(os.path.join(here, name), out, {"config": json.dumps(meta)})
print(f"wrote {os.path.join(here, name)} ({len(out)} tensors)", file=sys.stderr)
