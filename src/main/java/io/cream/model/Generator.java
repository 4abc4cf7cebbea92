package io.cream.model;

import java.util.function.IntConsumer;

/** Autoregressive generation with a KV cache: prefill the prompt, then one token at a time. */
public final class Generator {
  private Generator() {}

  /**
   * Generates up to maxNewTokens after the prompt, stopping after the EOS token (not returned).
   * Each new token is handed to onToken as soon as it exists (for streaming). The session must be
   * empty and large enough for prompt + maxNewTokens.
   */
  public static int[] generate(InferenceSession session, int[] prompt, int maxNewTokens,
      Sampler sampler, int eosId, IntConsumer onToken) {
    return generate(session, prompt, 0, maxNewTokens, sampler, eosId, onToken);
  }

  /**
   * As above, with EOS held off until minNewTokens tokens exist (its logit set to −∞ before
   * sampling, as Hugging Face's min_new_tokens does): a reply cannot end before it starts.
   */
  public static int[] generate(InferenceSession session, int[] prompt, int minNewTokens, int maxNewTokens,
      Sampler sampler, int eosId, IntConsumer onToken) {
    if (prompt.length == 0) throw new IllegalArgumentException("empty prompt");
    int[] out = new int[maxNewTokens];
    int n = 0;
    float[] logits = session.append(prompt, InferenceSession.Logits.LAST);
    while (n < maxNewTokens) {
      if (n < minNewTokens && eosId >= 0 && eosId < logits.length) {
        logits = logits.clone();
        logits[eosId] = Float.NEGATIVE_INFINITY;
      }
      int next = sampler.next(logits);
      if (next == eosId) break;
      out[n++] = next;
      if (onToken != null) onToken.accept(next);
      if (n == maxNewTokens || session.length() >= session.maxLength()) break;
      logits = session.append(new int[] {next}, InferenceSession.Logits.LAST);
    }
    return java.util.Arrays.copyOf(out, n);
  }
}
