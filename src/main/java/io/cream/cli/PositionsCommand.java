package io.cream.cli;

import io.cream.positions.BranchMode;
import io.cream.positions.PositionMethod;
import io.cream.positions.PositionSample;
import io.cream.positions.PositionSampleJson;
import io.cream.positions.PositionSampler;
import io.cream.positions.PositionsReport;
import io.cream.positions.SampleStream;
import io.cream.util.UserError;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `cream positions`: draws position-id samples for a method and prints them (jsonl) or a report. */
@Command(
    name = "positions",
    mixinStandardHelpOptions = true,
    description = {
      "Draw training position ids for a method and print them as JSON lines or a text report.",
      "Sample i is reproducible from (seed, i): the trainer derives the same ids for the sample it"
          + " makes from document i (in corpus order) in its first epoch, in every branch mode."
    })
public final class PositionsCommand implements Callable<Integer> {
  private static final int FLUSH_CHARS = 1 << 16;

  @Option(names = "--method", required = true, paramLabel = "M",
      description = "Position method: cream, pose, randpos or contiguous.")
  String method;

  @Option(names = "--window", required = true, paramLabel = "N",
      description = "Pre-trained context window N (tokens per sample).")
  int window;

  @Option(names = "--factor", required = true, paramLabel = "F",
      description = "Extension factor f: positions lie in [0, f·N); at least 2, or 1 for contiguous.")
  int factor;

  @Option(names = "--sigma", defaultValue = "3.0", paramLabel = "S",
      description = "cream: σ of the Gaussian over the expansion ratio (default: ${DEFAULT-VALUE}).")
  double sigma;

  @Option(names = "--seed", defaultValue = "0", paramLabel = "X",
      description = "Random seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--samples", defaultValue = "1000", paramLabel = "K",
      description = "Number of samples (default: ${DEFAULT-VALUE}).")
  long samples;

  @Option(names = "--format", defaultValue = "table", paramLabel = "table|jsonl",
      description = "table: a text report; jsonl: one JSON object per sample (default: ${DEFAULT-VALUE}).")
  String format;

  @Option(names = "--with-positions",
      description = "jsonl only: include each sample's N position ids.")
  boolean withPositions;

  @Option(names = "--branch-mode", defaultValue = "per-sample", paramLabel = "per-sample|per-batch",
      description = "cream only: draw the branch per sample, or once per batch as the reference code"
          + " does (default: ${DEFAULT-VALUE}).")
  String branchMode;

  @Option(names = {"--branch-batch-size", "--batch-size"}, defaultValue = "3000", paramLabel = "B",
      description = "Samples per shared branch with --branch-mode per-batch (default: ${DEFAULT-VALUE},"
          + " the reference's preprocessing batch; train takes the same flag).")
  int batchSize;

  private enum Format { TABLE, JSONL }

  @Override
  public Integer call() {
    PositionMethod m = PositionMethod.parse(method);
    BranchMode mode = BranchMode.parse(branchMode);
    Format f = parseFormat(format);
    UserError.require(samples >= 1, "--samples must be at least 1 (got " + samples + ")");
    UserError.require(batchSize >= 1, "--batch-size must be at least 1 (got " + batchSize + ")");
    UserError.require(!withPositions || f == Format.JSONL,
        "--with-positions only applies to --format jsonl: add --format jsonl or drop --with-positions");
    SampleStream stream = new SampleStream(PositionSampler.create(m, window, factor, sigma), mode, batchSize, seed);
    PrintStream out = System.out;
    if (f == Format.JSONL) {
      writeJsonLines(stream, out);
    } else {
      writeTable(stream, m, mode, out);
    }
    out.flush();
    return 0;
  }

  private static Format parseFormat(String text) {
    for (Format f : Format.values()) {
      if (f.name().equalsIgnoreCase(text.trim())) return f;
    }
    throw new UserError("unknown format '" + text + "': use --format table|jsonl");
  }

  /** Walks samples 0, 1, 2, ... of the run (SampleStream's contract, which the trainer shares). */
  private void forEachSample(SampleStream stream, SampleSink sink) {
    for (long i = 0; i < samples; i++) {
      if (!sink.accept(stream.draw(i).sample())) return;
    }
  }

  @FunctionalInterface
  private interface SampleSink {
    /** Takes a sample; false stops the walk (the reader went away). */
    boolean accept(PositionSample s);
  }

  private void writeJsonLines(SampleStream stream, PrintStream out) {
    StringBuilder buffer = new StringBuilder(FLUSH_CHARS * 2);
    forEachSample(stream, s -> {
      PositionSampleJson.append(buffer, s, withPositions);
      buffer.append('\n');
      if (buffer.length() < FLUSH_CHARS) return true;
      return drain(buffer, out);
    });
    drain(buffer, out);
  }

  /** Writes the buffer (JSON is ASCII); false once the output is broken, e.g. `| head` closed it. */
  private static boolean drain(StringBuilder buffer, PrintStream out) {
    byte[] bytes = new byte[buffer.length()];
    for (int i = 0; i < bytes.length; i++) bytes[i] = (byte) buffer.charAt(i);
    out.write(bytes, 0, bytes.length);
    buffer.setLength(0);
    return !out.checkError();
  }

  private void writeTable(SampleStream stream, PositionMethod m, BranchMode mode, PrintStream out) {
    PositionsReport report = new PositionsReport(m, window, factor, sigma);
    forEachSample(stream, s -> {
      report.add(s);
      return true;
    });
    String details = "seed " + seed
        + (m == PositionMethod.CREAM
            ? String.format(Locale.ROOT, ", sigma %s, branch mode %s%s", sigma, mode.cliName(),
                mode == BranchMode.PER_BATCH ? " (batch size " + batchSize + ")" : "")
            : "");
    Charset charset = out.charset();
    boolean unicode = charset.newEncoder().canEncode('█');
    out.print(report.render(details, unicode));
  }
}
