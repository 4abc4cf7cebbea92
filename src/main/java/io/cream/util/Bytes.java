package io.cream.util;

/** Byte counts for people: 512 B, 3.4 MiB, 1.2 TiB. */
public final class Bytes {
  private Bytes() {}

  public static String format(long n) {
    if (n < 1024) return n + " B";
    int unit = (63 - Long.numberOfLeadingZeros(n)) / 10;
    return String.format("%.1f %ciB", n / Math.pow(1024, unit), "KMGTPE".charAt(unit - 1));
  }
}
