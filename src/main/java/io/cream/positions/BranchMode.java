package io.cream.positions;

import io.cream.util.UserError;
import java.util.Locale;

/**
 * How often CREAM draws its branch (relativity b = 0 or continuity b = 1). The paper reads as one
 * draw per sample; the reference code draws once per preprocessing batch of 3,000 documents.
 * {@link SampleStream} applies it.
 */
public enum BranchMode {
  /** A fresh branch for every sample (the default). */
  PER_SAMPLE,
  /** One branch shared by each batch of consecutive samples, as the reference code does. */
  PER_BATCH;

  /** The command-line spelling: per-sample or per-batch. */
  public String cliName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Parses per-sample / per-batch (case and '-' vs '_' ignored); anything else is a UserError. */
  public static BranchMode parse(String text) {
    String wanted = text == null ? "" : text.trim().replace('_', '-');
    for (BranchMode m : values()) {
      if (m.cliName().equalsIgnoreCase(wanted)) return m;
    }
    throw new UserError("unknown branch mode '" + text + "': use --branch-mode per-sample|per-batch");
  }
}
