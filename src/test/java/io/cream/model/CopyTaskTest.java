package io.cream.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.backend.AdamWConfig;
import io.cream.backend.CrossEntropyLoss;
import io.cream.backend.Tensor;
import io.cream.backend.cpu.CpuBackend;
import io.cream.rope.RopeSpec;
import io.cream.util.Json;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A tiny model learns to copy: [BOS a₁…a₈ SEP a₁…a₈], loss only on the copy. Random guessing
 * costs ln 14 ≈ 2.64 nats; the model must get below 0.2 (it needs induction-style attention).
 */
class CopyTaskTest {
  @Test
  void tinyModelLearnsToCopy() {
    ObjectNode j = Json.object();
    j.putArray("architectures").add("LlamaForCausalLM");
    j.put("hidden_size", 64);
    j.put("intermediate_size", 128);
    j.put("num_hidden_layers", 2);
    j.put("num_attention_heads", 4);
    j.put("num_key_value_heads", 2);
    j.put("rms_norm_eps", 1e-5);
    j.put("max_position_embeddings", 32);
    j.put("vocab_size", 16);
    j.put("tie_word_embeddings", false);
    LlamaConfig c = LlamaConfig.fromJson(j);
    int half = 8, seqLen = 2 * half + 2, batch = 16, steps = 400;
    SplittableRandom rng = new SplittableRandom(11);
    try (CpuBackend b = new CpuBackend();
        LlamaModel model = new LlamaModel(c, b, WeightInit.random(c, b, 1),
            RopeSpec.defaults(c.headDim(), 10000, 32).build());
        LlamaWeights grads = LlamaWeights.zeros(c, b);
        LlamaWeights m = LlamaWeights.zeros(c, b);
        LlamaWeights v = LlamaWeights.zeros(c, b);
        TrainingPass pass = new TrainingPass(model, grads, batch, seqLen, false)) {
      AdamWConfig adam = new AdamWConfig(3e-3f, 0.9f, 0.98f, 1e-8f, 0f);
      List<Tensor> p = model.weights().all(), g = grads.all(), ms = m.all(), vs = v.all();
      double last = Double.NaN;
      for (int step = 1; step <= steps; step++) {
        int[] tokens = new int[batch * seqLen], pos = new int[batch * seqLen], targets = new int[batch * seqLen];
        for (int s = 0; s < batch; s++) {
          int o = s * seqLen;
          tokens[o] = 0;
          tokens[o + half + 1] = 1;
          for (int i = 0; i < half; i++) {
            int t = 2 + rng.nextInt(14);
            tokens[o + 1 + i] = t;
            tokens[o + half + 2 + i] = t;
          }
          for (int i = 0; i < seqLen; i++) {
            pos[o + i] = i;
            targets[o + i] = i >= half + 1 && i + 1 < seqLen ? tokens[o + i + 1] : -1;
          }
        }
        g.forEach(b::zero);
        CrossEntropyLoss loss = pass.forwardBackward(
            new TrainBatch(batch, seqLen, tokens, pos, targets), 1f / (batch * half));
        for (int i = 0; i < p.size(); i++) b.adamW(p.get(i), g.get(i), ms.get(i), vs.get(i), adam, step);
        last = loss.mean();
        if (last < 0.1) break;
      }
      assertTrue(last < 0.2, "copy loss after training: " + last);
    }
  }
}
