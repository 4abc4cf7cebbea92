/**
 * RoPE scaling: how position ids become rotation angles when a Llama-family model is stretched past
 * its pre-trained window. {@link io.cream.rope.RopeSpec} holds the settings (from the command line or
 * a Hugging Face config.json, read and written by {@link io.cream.rope.HfRopeConfig}); its
 * {@code build()} gives a {@link io.cream.rope.RopeScaling} (default, linear, dynamic, ntk, yarn,
 * yarn-revised, llama3, longrope) with inverse frequencies and an attention factor;
 * {@link io.cream.rope.RopeTables} turns those and a list of (possibly sparse, very large) position
 * ids into float cos/sin tables computed from float64 angles.
 */
package io.cream.rope;
