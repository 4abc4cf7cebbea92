package io.cream.positions;

import io.cream.util.UserError;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How a training sample of N tokens gets its N position ids inside the target window [0, f·N). */
public enum PositionMethod {
  /** CREAM: head, a middle chunk placed by a Gaussian over the expansion ratio, tail at the end. */
  CREAM,
  /** PoSE: two chunks, the second shifted by a uniform skip. */
  POSE,
  /** RandPos: N distinct positions drawn uniformly from the target window, sorted. */
  RANDPOS,
  /** No manipulation: 0 … N−1 (the baseline that does not extend anything). */
  CONTIGUOUS;

  /**
   * The smallest extension factor f the method takes. CREAM, PoSE and RandPos draw their ids from a
   * target window f·N longer than the N tokens of a sample, so they need f ≥ 2 (CREAM's expansion
   * ratio also ranges over [2, 2f]); contiguous ids are 0 … N − 1 whatever f is, and f only scales
   * the RoPE of the run, so f = 1 (fine-tuning or pre-training without extension) is fine there.
   */
  public int minFactor() {
    return this == CONTIGUOUS ? 1 : 2;
  }

  /** The name used on the command line and in JSON output (lower case). */
  public String cliName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a method name, ignoring case; an unknown name is a UserError listing the valid ones. */
  public static PositionMethod parse(String text) {
    String wanted = text == null ? "" : text.trim();
    for (PositionMethod m : values()) {
      if (m.name().equalsIgnoreCase(wanted)) return m;
    }
    throw new UserError(
        "unknown position method '" + text + "': use --method " + validNames());
  }

  /** The valid names separated by '|', e.g. "cream|pose|randpos|contiguous". */
  public static String validNames() {
    return Arrays.stream(values()).map(PositionMethod::cliName).collect(Collectors.joining("|"));
  }
}
