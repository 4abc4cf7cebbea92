package io.cream.model;

import io.cream.backend.Tensor;

/**
 * The tensors of one decoder block, in Hugging Face layout ([out × in] for projections, [1 × C]
 * for norms). The same record holds weights, their gradients or an optimizer moment. Biases are
 * null unless the architecture has them (Qwen2: q/k/v).
 */
public record LayerWeights(
    Tensor attnNorm,
    Tensor wq,
    Tensor wk,
    Tensor wv,
    Tensor bq,
    Tensor bk,
    Tensor bv,
    Tensor wo,
    Tensor mlpNorm,
    Tensor wGate,
    Tensor wUp,
    Tensor wDown) {}
