package io.cream.quickstart;

/**
 * The quickstart's sizes: the shipped base model extended f× with PoSE and with CREAM on the CPU,
 * then evaluated at N and f·N. The defaults took 2 min 54 s in all on a 2-core Intel Xeon (Sapphire
 * Rapids, AVX-512) from a fresh clone (2026-12-08); tests shrink them.
 *
 * @param factor the extension f (evaluated at N and f·N, N being the base model's window)
 * @param finetuneSteps steps of each extension fine-tune (PoSE, CREAM)
 * @param batch sequences of N tokens per step
 * @param lr peak learning rate (linear decay after a short warm-up)
 * @param depths passkey depths in percent
 * @param samples passkey prompts per (length, depth) cell
 * @param pplDocuments held-out documents perplexity is measured on
 */
public record QuickstartPlan(int factor, int finetuneSteps, int batch, double lr, java.util.List<Double> depths,
    int samples, int pplDocuments, long seed) {

  /**
   * 50 steps at lr 2e-4: at 1e-3 these steps on books made the base forget its passkey skill (8N:
   * 17–22% over three seeds against 80% for revised YaRN alone); at 2e-4 they keep it (docs/results.md).
   */
  public static QuickstartPlan standard() {
    return new QuickstartPlan(8, 50, 16, 2e-4, java.util.List.of(0.0, 25.0, 50.0, 75.0, 100.0), 4, 4, 0);
  }

  /** A step of everything: checks the plumbing, not the skill. */
  public static QuickstartPlan smoke() {
    return new QuickstartPlan(8, 2, 2, 1e-3, java.util.List.of(50.0), 1, 1, 0);
  }

  public QuickstartPlan withFinetuneSteps(int steps) {
    return new QuickstartPlan(factor, steps, batch, lr, depths, samples, pplDocuments, seed);
  }
}
