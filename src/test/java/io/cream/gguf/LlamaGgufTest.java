package io.cream.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cream.io.SafeTensorsReader;
import io.cream.rope.RopeType;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file's layout: llama.cpp's tensor names, ggml dimension order, types per --dtype, keys. */
class LlamaGgufTest {
  @TempDir Path tmp;

  @Test
  void untiedYarnRevisedModelInQ8() throws Exception {
    Path ckpt = GgufFixtures.checkpoint(tmp.resolve("m"), GgufFixtures.rope(RopeType.YARN_REVISED), 3);
    Path file = tmp.resolve("m.gguf");
    GgufExport.write(ckpt, file, GgufDType.Q8_0);
    GgufReader r = new GgufReader(file);

    Set<String> want = new TreeSet<>(Set.of("token_embd.weight", "output_norm.weight", "output.weight", "rope_freqs.weight"));
    for (int l = 0; l < 2; l++) {
      for (String t : new String[] {"attn_norm", "attn_q", "attn_k", "attn_v", "attn_output", "ffn_norm", "ffn_gate",
          "ffn_up", "ffn_down"}) want.add("blk." + l + "." + t + ".weight");
    }
    assertEquals(want, new TreeSet<>(r.tensors.keySet()));
    assertArrayEquals(new long[] {64, 4096}, r.tensors.get("token_embd.weight").dims(), "[hidden, vocab]: rows of hidden");
    assertArrayEquals(new long[] {64, 32}, r.tensors.get("blk.0.attn_k.weight").dims(), "2 KV heads × 16");
    assertArrayEquals(new long[] {128, 64}, r.tensors.get("blk.1.ffn_down.weight").dims());
    assertArrayEquals(new long[] {8}, r.tensors.get("rope_freqs.weight").dims());
    for (var t : r.tensors.values()) assertEquals(t.dims().length == 1 ? 0 : 8, t.type(), t.name() + ": vectors stay F32");

    assertEquals("llama", r.metadata.get("general.architecture"));
    assertEquals(7L, r.metadata.get("general.file_type"));
    assertEquals(256L, r.metadata.get("llama.context_length"), "the extended window, 8 × 32");
    assertEquals(16L, r.metadata.get("llama.rope.dimension_count"));
    assertEquals(2L, r.metadata.get("llama.attention.head_count_kv"));
    assertEquals("none", r.metadata.get("llama.rope.scaling.type"));
    assertEquals((float) (1 + 0.1 * Math.log(8)), r.metadata.get("llama.rope.scaling.attn_factor"));
    assertEquals("yarn-revised", r.metadata.get("cream.rope.type"));
    assertEquals(4096, ((java.util.List<?>) r.metadata.get("tokenizer.ggml.tokens")).size());
  }

  @Test
  void float32KeepsValuesAndReordersOnlyQueryAndKeyRows() throws Exception {
    Path ckpt = GgufFixtures.checkpoint(tmp.resolve("m"), GgufFixtures.rope(RopeType.LINEAR), 4);
    Path file = tmp.resolve("m.gguf");
    GgufExport.write(ckpt, file, GgufDType.F32);
    GgufReader r = new GgufReader(file);
    try (SafeTensorsReader hf = SafeTensorsReader.open(ckpt)) {
      String p = "model.layers.1.";
      assertArrayEquals(hf.get(p + "self_attn.v_proj.weight").toFloatArray(), r.floats("blk.1.attn_v.weight"));
      assertArrayEquals(hf.get(p + "post_attention_layernorm.weight").toFloatArray(), r.floats("blk.1.ffn_norm.weight"));
      assertArrayEquals(hf.get("lm_head.weight").toFloatArray(), r.floats("output.weight"));
      assertArrayEquals(RotaryPairs.toAdjacent(hf.get(p + "self_attn.q_proj.weight").toFloatArray(), 4, 16, 64),
          r.floats("blk.1.attn_q.weight"));
      assertArrayEquals(RotaryPairs.toAdjacent(hf.get(p + "self_attn.k_proj.weight").toFloatArray(), 2, 16, 64),
          r.floats("blk.1.attn_k.weight"));
    }
    assertEquals("linear", r.metadata.get("llama.rope.scaling.type"));
    assertEquals(8f, r.metadata.get("llama.rope.scaling.factor"));
    assertFalse(r.tensors.containsKey("rope_freqs.weight"));
  }

  /** Tied embeddings: no output tensor (llama.cpp then reads token_embd); a 48-wide row falls back from Q8_0 to F16. */
  @Test
  void tiedEmbeddingsAndRowsThatAreNotWholeBlocks() throws Exception {
    Path ckpt = GgufFixtures.checkpoint(tmp.resolve("m"), GgufFixtures.rope(RopeType.DEFAULT), 5,
        c -> c.put("tie_word_embeddings", true).put("intermediate_size", 48));
    Path file = tmp.resolve("m.gguf");
    GgufExport.write(ckpt, file, GgufDType.Q8_0);
    GgufReader r = new GgufReader(file);
    assertFalse(r.tensors.containsKey("output.weight"));
    assertEquals(1, r.tensors.get("blk.0.ffn_down.weight").type(), "rows of 48 are not whole Q8_0 blocks: F16");
    assertEquals(8, r.tensors.get("blk.0.ffn_up.weight").type());
    assertTrue(r.metadata.get("llama.rope.scaling.type").equals("none"));
  }
}
