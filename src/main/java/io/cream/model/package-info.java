/**
 * The Llama-family model on any {@link io.cream.backend.Backend}: its config (LlamaConfig, read
 * from Hugging Face config.json), parameters by Hugging Face name (ParamLayout, LlamaWeights,
 * WeightsIO, WeightInit), the explicit training forward and backward (TrainingPass: every step of
 * every block written out, optional activation recomputation), and inference with a KV cache
 * (InferenceSession, Generator, Sampler). Position ids enter only through the RoPE cos/sin tables,
 * so CREAM's non-contiguous ids need nothing special here.
 */
package io.cream.model;
