// Training FLOPs of ELECTRA and of BERT's masked LM, counted by the conventions the ELECTRA paper
// states for its compute axis (Clark et al. 2020, Table 1 and Figure 4; the official
// flops_computation.py): a matrix product counts 2 operations per multiply-add, embedding
// lookups count as dense products with a one-hot vector, element-wise work counts per element
// (GELU 8, LayerNorm 5, dropout 4, softmax 5), the output softmax is paid at the masked fraction
// of positions only, and a backward pass costs what its forward pass does (training = 2 x forward).
// With these, ELECTRA-Small (1M steps, batch 128, 128 tokens) and BERT-Small (1.45M steps) both
// come to the paper's 1.4e18.
#ifndef ELECTRA_MODEL_FLOPS_H_
#define ELECTRA_MODEL_FLOPS_H_

#include <cstdint>

#include "model/config.h"

namespace electra {

// Forward FLOPs of one encoder (embeddings, projection, layers) over one sequence.
double EncoderForwardFlops(const ElectraConfig& config, int seq_len);

// Forward FLOPs of the masked-LM output head (dense, GELU, LayerNorm, tied output softmax) over
// one sequence, paid at `output_fraction` of the positions.
double MlmHeadForwardFlops(const ElectraConfig& config, int seq_len, double output_fraction);

// Forward FLOPs of the discriminator's replaced-token head over one sequence.
double DiscriminatorHeadForwardFlops(const ElectraConfig& config, int seq_len);

// Training FLOPs of one optimizer step over `batch` sequences of `seq_len` tokens, with
// `output_fraction` = masked positions / seq_len (the official 20/128 at mask_prob 0.15).
// ELECTRA: generator (encoder + MLM head) and discriminator (encoder + head).
// MLM (`discriminator` null): the one encoder and its MLM head.
double ElectraTrainFlopsPerStep(const ElectraConfig& generator, const ElectraConfig& discriminator, int batch,
                                int seq_len, double output_fraction);
double MlmTrainFlopsPerStep(const ElectraConfig& model, int batch, int seq_len, double output_fraction);

}  // namespace electra

#endif  // ELECTRA_MODEL_FLOPS_H_
