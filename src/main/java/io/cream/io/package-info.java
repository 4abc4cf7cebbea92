/**
 * Hugging Face checkpoint input and output: safetensors files (memory-mapped reading with strict
 * header validation, atomic streaming writes, sharded sets with {@code model.safetensors.index.json}),
 * checkpoint folders ({@link io.cream.io.HfCheckpoint}: config.json, weights, tokenizer files,
 * generation_config.json) and text tokenization ({@link io.cream.io.TextTokenizer}, Hugging Face
 * {@code tokenizer.json} through DJL's bundled native library, offline). Damaged or unsupported
 * files are {@link io.cream.util.UserError}s naming the file and what is wrong.
 */
package io.cream.io;
