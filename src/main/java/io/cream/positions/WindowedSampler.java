package io.cream.positions;

/**
 * What every position strategy shares: the training window N, the factor f, the validated target
 * span S = f·N, and the default document requirement (N tokens).
 */
abstract class WindowedSampler implements PositionSampler {
  protected final int window;
  protected final int factor;
  protected final int span;

  WindowedSampler(PositionMethod method, int window, int factor) {
    this.span = SamplerChecks.targetSpan(method, window, factor);
    this.window = window;
    this.factor = factor;
  }

  @Override
  public final int window() {
    return window;
  }

  @Override
  public final int factor() {
    return factor;
  }

  @Override
  public int minDocumentLength() {
    return window;
  }
}
