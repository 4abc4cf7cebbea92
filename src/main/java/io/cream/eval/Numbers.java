package io.cream.eval;

import java.util.Locale;

/** Number formatting shared by progress lines, charts and the report. */
public final class Numbers {
  private Numbers() {}

  /** 50.0 → "50", 12.5 → "12.5". */
  public static String compact(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
    return String.format(Locale.ROOT, "%s", v);
  }

  /** Fixed decimals, locale-independent. */
  public static String fixed(double v, int decimals) {
    return String.format(Locale.ROOT, "%." + decimals + "f", v);
  }

  /** Seconds as "42s", "3m05s" or "1h02m". */
  public static String duration(double seconds) {
    long s = Math.round(seconds);
    if (s < 60) return s + "s";
    if (s < 3600) return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
  }
}
