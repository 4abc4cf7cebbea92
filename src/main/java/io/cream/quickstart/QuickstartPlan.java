package io.cream.quickstart;

/**
 * The quickstart's sizes: a small Llama pre-trained at a short window, then extended f× with PoSE
 * and with CREAM. The defaults take about 5 minutes on 2 cores; tests shrink them.
 *
 * @param window the base model's window N (tokens)
 * @param factor the extension f (evaluated at N and f·N)
 * @param hidden model width; layers, heads and kvHeads complete the shape
 * @param ropeTheta the base model's RoPE base: 500 rather than Llama's 10000, because at a
 *     128-token window most of 10000's 16 frequency pairs (head dim 32) barely turn at all
 * @param pretrainSteps steps of pre-training (contiguous windows, no RoPE scaling)
 * @param finetuneSteps steps of each extension fine-tune (PoSE, CREAM)
 * @param batch sequences per step
 * @param books how many of the corpus's books (the smallest first) go into the training text
 * @param shortDocs synthetic passkey documents (prompt/answer) that fit the base window
 * @param longDocs synthetic passkey documents a little longer than the window, for the fine-tunes
 * @param samples passkey prompts per (length, depth) cell
 * @param vocabulary pieces of the small vocabulary cut from the tokenizer (0: use it whole)
 */
public record QuickstartPlan(
    int window, int factor, int hidden, int layers, int heads, int kvHeads, double ropeTheta,
    int pretrainSteps, int finetuneSteps, int batch, double pretrainLr, double finetuneLr,
    int books, int shortDocs, int longDocs, int samples, int vocabulary, long seed) {

  public static QuickstartPlan standard() {
    return new QuickstartPlan(128, 8, 128, 4, 4, 2, 500, 2000, 300, 16, 3e-3, 1e-3, 6, 16000, 2000, 8, 4096, 1);
  }

  /** A few steps of everything: checks the plumbing, not the skill. */
  public static QuickstartPlan smoke() {
    return new QuickstartPlan(96, 4, 32, 2, 4, 2, 500, 3, 2, 2, 2e-3, 5e-4, 1, 40, 10, 1, 1024, 1);
  }

  /** The same plan with another pre-training length. */
  public QuickstartPlan withPretrainSteps(int steps) {
    return new QuickstartPlan(window, factor, hidden, layers, heads, kvHeads, ropeTheta, steps, finetuneSteps,
        batch, pretrainLr, finetuneLr, books, shortDocs, longDocs, samples, vocabulary, seed);
  }

  public int targetWindow() {
    return window * factor;
  }
}
