/**
 * {@code cream export gguf}: a checkpoint as one GGUF v3 file for llama.cpp's Llama graph.
 * {@link io.cream.gguf.GgufWriter} writes the container (keys in {@link io.cream.gguf.GgufMetadata},
 * tensors as {@link io.cream.gguf.GgufTensor} in a {@link io.cream.gguf.GgmlType}: F32, F16, BF16 or
 * {@link io.cream.gguf.Q8Blocks Q8_0}); {@link io.cream.gguf.LlamaGguf} lays the model out under
 * llama.cpp's names with q/k rows in its pair order ({@link io.cream.gguf.RotaryPairs}), the RoPE
 * scaling as keys and a rope_freqs tensor ({@link io.cream.gguf.GgufRope}) and the tokenizer as its
 * SentencePiece vocabulary ({@link io.cream.gguf.GgufVocab}); {@link io.cream.gguf.GgufExport} runs
 * it for a checkpoint folder. docs/gguf.md has the mapping and the measured agreement.
 */
package io.cream.gguf;
