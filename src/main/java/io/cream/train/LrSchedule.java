package io.cream.train;

import io.cream.util.UserError;
import java.util.Locale;

/**
 * Learning rate per optimizer step: a linear warm-up from 0 over {@code warmupSteps}, then a decay
 * to zero (linear or cosine) or a constant, over {@code totalSteps} steps numbered 0 … K−1.
 *
 * <p>Convention (the one of Hugging Face's {@code get_linear_schedule_with_warmup}, which the
 * paper's recipe ran through): during warm-up {@code lr(s) = peak·s/W}, so step 0 gets 0 and the
 * first real update is step 1 at peak/W; after warm-up {@code lr(s) = peak·(K−s)/(K−W)} for the
 * linear decay, so step W gets the peak and the last step K−1 still gets peak/(K−W) > 0. With W = 0
 * step 0 gets the peak. The paper's base recipe is {@code linear(2e-5, 10, 1000)}; its chat recipe
 * is {@code linear(2e-5, 0, 100)}.
 */
public record LrSchedule(double peak, int warmupSteps, int totalSteps, Decay decay) {

  /** What happens after warm-up. */
  public enum Decay {
    /** peak·(K−s)/(K−W): straight down to zero at step K. */
    LINEAR,
    /** peak·½(1 + cos(π·(s−W)/(K−W))): half a cosine wave down to zero at step K. */
    COSINE,
    /** peak for every step after warm-up. */
    CONSTANT;

    /** Parses a name as typed on the command line (linear, cosine, constant). */
    public static Decay parse(String name) {
      for (Decay d : values()) {
        if (d.name().equalsIgnoreCase(name.trim())) return d;
      }
      throw new UserError(
          "unknown learning-rate schedule '" + name + "': use one of linear, cosine, constant");
    }

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public LrSchedule {
    UserError.require(
        Double.isFinite(peak) && peak > 0, "learning rate must be a positive number, got " + peak);
    UserError.require(totalSteps >= 1, "the number of training steps must be at least 1, got " + totalSteps);
    UserError.require(
        warmupSteps >= 0 && warmupSteps <= totalSteps,
        "warm-up steps must lie in [0, " + totalSteps + "] (the number of steps), got " + warmupSteps);
    if (decay == null) throw new NullPointerException("decay");
  }

  public static LrSchedule linear(double peak, int warmupSteps, int totalSteps) {
    return new LrSchedule(peak, warmupSteps, totalSteps, Decay.LINEAR);
  }

  public static LrSchedule cosine(double peak, int warmupSteps, int totalSteps) {
    return new LrSchedule(peak, warmupSteps, totalSteps, Decay.COSINE);
  }

  public static LrSchedule constant(double peak, int warmupSteps, int totalSteps) {
    return new LrSchedule(peak, warmupSteps, totalSteps, Decay.CONSTANT);
  }

  /** The learning rate of optimizer step {@code step}, 0 ≤ step < totalSteps. */
  public double lr(int step) {
    if (step < 0 || step >= totalSteps) {
      throw new IllegalArgumentException("step " + step + " outside [0, " + totalSteps + ")");
    }
    // Factors computed as HF's LambdaLR does (peak × ratio), so values match it to the last bit.
    if (step < warmupSteps) return peak * ((double) step / warmupSteps);
    int decaySteps = totalSteps - warmupSteps; // ≥ 1 here because step < totalSteps
    double progress = (double) (step - warmupSteps) / decaySteps;
    return switch (decay) {
      case LINEAR -> peak * ((double) (totalSteps - step) / decaySteps);
      case COSINE -> peak * 0.5 * (1.0 + Math.cos(Math.PI * progress));
      case CONSTANT -> peak;
    };
  }
}
