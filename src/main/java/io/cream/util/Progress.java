package io.cream.util;

import java.io.Console;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress of a long job, on stderr. On an interactive terminal: one line redrawn in place with a
 * bar, count/total, rate, elapsed time and ETA. Elsewhere (a pipe, a log file, CI): a plain line
 * every {@code interval} (10 s by default), so logs stay short. {@link #close()} prints the final
 * line. All methods are thread-safe; workers may call {@link #advance} concurrently.
 *
 * <pre>
 * tokenizing [############------------]  50.0% 23.3MB/46.6MB 4.10MB/s elapsed 0:00:06 ETA 0:00:06 (212 docs)
 * </pre>
 *
 * The rate is the average since the start, and the ETA is the remaining amount at that rate.
 */
public final class Progress implements AutoCloseable {
  /** How the reporter writes. */
  public enum Mode {
    /** One line redrawn in place (carriage return + erase to end of line). */
    TERMINAL,
    /** A new line every interval, and a final one. */
    PLAIN,
    /** Prints nothing (counts still kept). */
    SILENT
  }

  private static final int BAR_WIDTH = 24;
  private static final long TERMINAL_REDRAW_NANOS = 200_000_000L;

  private final String label;
  private final long total;
  private final String unit;
  private final Mode mode;
  private final long intervalNanos;
  private final LongSupplier clock;
  private final PrintStream out;
  private final int width;
  private final long startNanos;

  private long count;
  private String message = "";
  private long lastPrintNanos;
  private boolean closed;

  private Progress(Builder b) {
    this.label = b.label;
    this.total = b.total;
    this.unit = b.unit;
    this.mode = b.mode != null ? b.mode : detectMode();
    this.intervalNanos = b.interval.toNanos();
    this.clock = b.clock;
    this.out = b.out;
    this.width = b.width;
    this.startNanos = clock.getAsLong();
    this.lastPrintNanos = startNanos;
  }

  /** A reporter for {@code total} items of {@code unit} (total ≤ 0: unknown), mode detected. */
  public static Progress start(String label, long total, String unit) {
    return builder(label).total(total).unit(unit).build();
  }

  public static Builder builder(String label) {
    return new Builder(label);
  }

  /** Options of a reporter; defaults: unknown total, unit "items", 10 s, detected mode, stderr. */
  public static final class Builder {
    private final String label;
    private long total;
    private String unit = "items";
    private Mode mode;
    private Duration interval = Duration.ofSeconds(10);
    private LongSupplier clock = System::nanoTime;
    private PrintStream out = System.err;
    private int width = terminalWidth();

    private Builder(String label) {
      this.label = label;
    }

    /** The amount at completion; 0 or less when unknown (no bar, percentage or ETA then). */
    public Builder total(long total) {
      this.total = total;
      return this;
    }

    /** The unit of the count: "docs", "tokens", ...; "B" formats as kB/MB/GB. */
    public Builder unit(String unit) {
      this.unit = unit;
      return this;
    }

    /** Forces a mode instead of detecting a terminal. */
    public Builder mode(Mode mode) {
      this.mode = mode;
      return this;
    }

    /** Time between plain lines. */
    public Builder interval(Duration interval) {
      if (interval.isNegative()) throw new IllegalArgumentException("negative interval");
      this.interval = interval;
      return this;
    }

    /** A nanosecond clock (tests pass a fake one). */
    public Builder clock(LongSupplier nanoClock) {
      this.clock = nanoClock;
      return this;
    }

    public Builder out(PrintStream out) {
      this.out = out;
      return this;
    }

    /** Maximum line width on a terminal (a wrapped line cannot be redrawn in place). */
    public Builder width(int width) {
      this.width = Math.max(20, width);
      return this;
    }

    public Progress build() {
      return new Progress(this);
    }
  }

  /** Adds n to the count; prints when a line is due. */
  public synchronized void advance(long n) {
    count += n;
    maybePrint();
  }

  /** A short note shown at the end of the line (e.g. "212 docs, 8.1M tokens"). */
  public synchronized void setMessage(String message) {
    this.message = message == null ? "" : message;
    maybePrint();
  }

  public synchronized long count() {
    return count;
  }

  public Mode mode() {
    return mode;
  }

  /** Prints the final line (once). */
  @Override
  public synchronized void close() {
    if (closed) return;
    closed = true;
    String line = render(clock.getAsLong(), true);
    switch (mode) {
      case TERMINAL -> out.print("\r" + fit(line) + "\033[K\n");
      case PLAIN -> out.println(line);
      case SILENT -> {}
    }
    out.flush();
  }

  private void maybePrint() {
    if (closed || mode == Mode.SILENT) return;
    long now = clock.getAsLong();
    long due = mode == Mode.TERMINAL ? TERMINAL_REDRAW_NANOS : intervalNanos;
    if (now - lastPrintNanos < due) return;
    lastPrintNanos = now;
    String line = render(now, false);
    if (mode == Mode.TERMINAL) out.print("\r" + fit(line) + "\033[K");
    else out.println(line);
    out.flush();
  }

  /** The status line at time {@code nowNanos} (of the reporter's clock). */
  synchronized String render(long nowNanos, boolean last) {
    double elapsed = Math.max(0, (nowNanos - startNanos) / 1e9);
    double rate = elapsed > 0 ? count / elapsed : 0;
    StringBuilder s = new StringBuilder(label);
    if (total > 0) {
      double fraction = Math.min(1.0, (double) count / total);
      if (mode == Mode.TERMINAL) s.append(' ').append(bar(fraction));
      s.append(String.format(Locale.ROOT, " %5.1f%%", 100 * fraction));
      s.append(' ').append(amount(count, false)).append('/').append(amount(total, true));
    } else {
      s.append(' ').append(amount(count, true));
    }
    s.append(' ').append(rateText(rate));
    s.append(" elapsed ").append(formatDuration(elapsed));
    if (last) {
      if (total <= 0 || count >= total) s.append(" done");
    } else if (total > 0) {
      s.append(" ETA ").append(rate > 0 ? formatDuration(Math.max(0, total - count) / rate) : "-:--:--");
    }
    if (!message.isEmpty()) s.append(" (").append(message).append(')');
    return s.toString();
  }

  private String fit(String line) {
    return line.length() < width ? line : line.substring(0, width - 1);
  }

  private static String bar(double fraction) {
    int filled = (int) Math.floor(fraction * BAR_WIDTH);
    return "[" + "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled) + "]";
  }

  /** A count with its unit: exact below 10,000, else 3 significant digits with k/M/G/T. */
  private String amount(long n, boolean withUnit) {
    boolean bytes = unit.equals("B");
    String number = formatCount(n);
    if (bytes) return number + "B"; // bytes always carry their unit: 12.3MB/46.6MB
    return withUnit ? number + " " + unit : number;
  }

  private String rateText(double rate) {
    String number = rate < 1000 ? threeDigits(rate) : scaled(rate);
    return unit.equals("B") ? number + "B/s" : number + " " + unit + "/s";
  }

  /** A count for people: exact below 10,000, else like {@link #scaled} (12345 → "12.3k"). */
  public static String formatCount(long n) {
    return n < 10_000 ? Long.toString(n) : scaled(n);
  }

  /** 1234 → "1.23k", 45_600_000 → "45.6M". */
  static String scaled(double v) {
    String[] suffixes = {"", "k", "M", "G", "T", "P"};
    int i = 0;
    while (Math.abs(v) >= 999.5 && i < suffixes.length - 1) {
      v /= 1000;
      i++;
    }
    return threeDigits(v) + suffixes[i];
  }

  private static String threeDigits(double v) {
    if (v >= 99.95) return String.format(Locale.ROOT, "%.0f", v);
    if (v >= 9.995) return String.format(Locale.ROOT, "%.1f", v);
    return String.format(Locale.ROOT, "%.2f", v);
  }

  /** Seconds as h:mm:ss (hours unbounded), rounded to the nearest second. */
  public static String formatDuration(double seconds) {
    if (!(seconds >= 0) || Double.isInfinite(seconds)) return "-:--:--";
    long s = Math.round(seconds);
    return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
  }

  /** Terminal when stdin/stdout are an interactive console, not under CI, not a dumb terminal. */
  static Mode detectMode() {
    Console console = System.console();
    boolean terminal = console != null && console.isTerminal();
    String ci = System.getenv("CI");
    boolean underCi = ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false") && !ci.equals("0");
    boolean dumb = "dumb".equals(System.getenv("TERM"));
    return terminal && !underCi && !dumb ? Mode.TERMINAL : Mode.PLAIN;
  }

  private static int terminalWidth() {
    try {
      String columns = System.getenv("COLUMNS");
      if (columns != null) return Math.max(20, Integer.parseInt(columns.trim()));
    } catch (NumberFormatException ignored) {
      // fall back to a width every terminal has
    }
    return 100;
  }
}
