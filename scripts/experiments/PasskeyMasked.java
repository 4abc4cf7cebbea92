// Experiment (not part of the build): does a 4x128 Llama learn passkey retrieval when the loss is
// only on the answer and each 128-token sequence holds one passkey document? Run from the
// repository root after a build, with a tokenizer.json (e.g. the quickstart's small vocabulary):
//   java --add-modules jdk.incubator.vector -cp "target/classes:target/lib/*" \
//     scripts/experiments/PasskeyMasked.java answer 1600 runs/quickstart/tokenizer/tokenizer.json
// "answer" trains on the answer tokens only, "all" on every token (the quickstart's setting).
import io.cream.backend.*;
import io.cream.backend.cpu.CpuBackend;
import io.cream.eval.PasskeyTask;
import io.cream.io.TextTokenizer;
import io.cream.model.*;
import io.cream.rope.RopeSpec;
import io.cream.util.Json;
import java.nio.file.Path;
import java.util.*;

/** One passkey document per 128-token sequence; loss only on the answer's tokens (or on all). */
public class PasskeyMasked {
  public static void main(String[] a) throws Exception {
    boolean all = a[0].equals("all");
    int steps = Integer.parseInt(a[1]);
    float lr = a.length > 3 ? Float.parseFloat(a[3]) : 2e-3f;
    int every = a.length > 4 ? Integer.parseInt(a[4]) : steps;
    keyMin = a.length > 5 ? Integer.parseInt(a[5]) : 5;
    keyMax = a.length > 6 ? Integer.parseInt(a[6]) : 5;
    TextTokenizer tok = TextTokenizer.load(Path.of(a[2]));
    var j = Json.object();
    j.putArray("architectures").add("LlamaForCausalLM");
    j.put("hidden_size", 128); j.put("intermediate_size", 352);
    j.put("num_hidden_layers", 4); j.put("num_attention_heads", 4); j.put("num_key_value_heads", 2);
    j.put("rms_norm_eps", 1e-5); j.put("max_position_embeddings", 128); j.put("vocab_size", tok.vocabSize());
    j.put("tie_word_embeddings", true);
    LlamaConfig c = LlamaConfig.fromJson(j);
    int T = 128, B = 16;
    SplittableRandom rng = new SplittableRandom(3);
    try (CpuBackend b = new CpuBackend();
         LlamaModel model = new LlamaModel(c, b, WeightInit.random(c, b, 1), RopeSpec.defaults(c.headDim(), 10000, 128).build());
         LlamaWeights g = LlamaWeights.zeros(c, b); LlamaWeights m = LlamaWeights.zeros(c, b); LlamaWeights v = LlamaWeights.zeros(c, b);
         TrainingPass pass = new TrainingPass(model, g, B, T, false)) {
      AdamWConfig adam = new AdamWConfig(lr, 0.9f, 0.98f, 1e-8f, 0f);
      var P = model.weights().all(); var G = g.all(); var M = m.all(); var V = v.all();
      double avg = 0;
      for (int step = 1; step <= steps; step++) {
        int[] tk = new int[B * T], pos = new int[B * T], tgt = new int[B * T];
        for (int s = 0; s < B; s++) {
          int o = s * T;
          String key = randomKey(rng, keyMin, keyMax);
          int n = 1 + rng.nextInt(8);
          int[] doc;
          do {
            doc = tok.encode(PasskeyTask.prompt(key, n, rng.nextDouble() * 100) + " " + key + ".");
          } while (doc.length > T && --n > 0);
          int len = Math.min(doc.length, T);
          Arrays.fill(tk, o, o + T, tok.eosId());
          System.arraycopy(doc, 0, tk, o, len);
          for (int i = 0; i < T; i++) { pos[o + i] = i; tgt[o + i] = -1; }
          int answerStart = len - (key.length() + 2); // " 12345." ≈ last tokens; train on the answer digits
          for (int i = 0; i + 1 < len; i++) {
            boolean answer = i >= answerStart;
            if (all || answer) tgt[o + i] = tk[o + i + 1];
          }
        }
        long counted = Arrays.stream(tgt).filter(t -> t >= 0).count();
        G.forEach(b::zero);
        var loss = pass.forwardBackward(new TrainBatch(B, T, tk, pos, tgt), 1f / counted);
        for (int i = 0; i < P.size(); i++) b.adamW(P.get(i), G.get(i), M.get(i), V.get(i), adam, step);
        avg = step == 1 ? loss.mean() : 0.95 * avg + 0.05 * loss.mean();
        if (step % 100 == 0) System.out.printf("step %d loss %.3f%n", step, avg);
        if (step % every == 0) check(model, tok, rng);
      }
    }
  }

  static int keyMin, keyMax;

  static String randomKey(SplittableRandom rng, int min, int max) {
    int len = min + rng.nextInt(max - min + 1);
    StringBuilder k = new StringBuilder().append(1 + rng.nextInt(9));
    while (k.length() < len) k.append(rng.nextInt(10));
    return k.toString();
  }

  static void check(LlamaModel model, TextTokenizer tok, SplittableRandom rng) {
    {
      // Greedy passkey check at 128 tokens
      int correct = 0;
      for (int t = 0; t < 20; t++) {
        String key = randomKey(rng, 5, 5);
        int[] p = tok.encode(PasskeyTask.prompt(key, 6, rng.nextDouble() * 100));
        try (InferenceSession sess = new InferenceSession(model, p.length + 8)) {
          int[] out = Generator.generate(sess, p, 7, Sampler.greedy(), tok.eosId(), null);
          String reply = tok.decode(out, true);
          if (reply.replaceAll("[^0-9]", "").startsWith(key)) correct++;
          if (t < 3) System.out.println(key + " -> " + reply.strip());
        }
      }
      System.out.println("passkey (6 filler sentences, inside the window): " + correct + "/20");
    }
  }
}
