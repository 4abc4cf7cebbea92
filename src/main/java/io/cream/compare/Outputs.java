package io.cream.compare;

import com.fasterxml.jackson.databind.JsonNode;
import io.cream.eval.EvalResults;
import io.cream.util.AtomicFiles;
import io.cream.util.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The comparison's outputs — report.html, summary.md and summary.json — written by whichever
 * process finds every unit done, under a lock. summary.json (written last) carries a digest of
 * everything the outputs are made from (the plan, every results.json and finetune.json); a
 * process that finds that digest unchanged leaves the files as they are, so they are written once
 * however many processes finish, and again only when the inputs change (an extended plan).
 */
final class Outputs {
  static final String LOCK = "outputs";

  private Outputs() {}

  /**
   * Writes (or finds up to date) the outputs; returns summary.md's text, or null when another
   * process has extended the plan since this one started (checked under the lock: the extending
   * process writes its outputs later, so the last outputs written are always the saved plan's).
   */
  static String write(ComparePlan plan, Layout layout, Claims claims, Duration poll, PrintStream log) throws IOException {
    try (Claims.Claim c = claims.await(LOCK, poll)) {
      if (!PlanStore.isSaved(plan, layout)) {
        log.println("[compare] the plan in " + layout.plan() + " was extended by another process; the"
            + " processes running it write the outputs when they finish");
        return null;
      }
      Summary.Source source = (run, seed, eval) -> EvalResults.read(resultsFile(layout, run, seed, eval));
      Summary summary = Summary.of(plan, source);
      List<SummaryWriter.FinetuneRow> finetunes = new ArrayList<>();
      for (RunSpec run : plan.runs()) {
        for (long seed : plan.seedsOf(run)) {
          Path f = layout.finetuneRecord(run, seed);
          if (Files.isRegularFile(f)) finetunes.add(SummaryWriter.finetuneRow(Json.read(f)));
        }
      }
      String digest = digest(plan, layout);
      String md = SummaryWriter.markdown(summary, finetunes, plan.seeds().size());
      if (upToDate(layout, digest)) {
        log.println("[compare] outputs up to date in " + layout.dir());
        return md;
      }
      try {
        AtomicFiles.writeString(layout.report(), CompareReport.render(plan, layout, source));
      } catch (Error | RuntimeException e) {
        // The charts need fonts (Java2D); the numbers matter more than the pictures.
        log.println("[compare] warning: no report.html (" + e.getClass().getSimpleName() + ": " + e.getMessage()
            + "); install fonts (e.g. 'apt-get install fontconfig fonts-dejavu-core') and run again");
      }
      AtomicFiles.writeString(layout.summaryMd(), md);
      Json.writeAtomically(layout.summaryJson(), SummaryWriter.json(summary, finetunes, digest));
      log.println("[compare] wrote " + layout.report() + ", " + layout.summaryMd() + " and " + layout.summaryJson());
      return md;
    }
  }

  static Path resultsFile(Layout layout, RunSpec run, Long seed, EvalSpec eval) {
    return layout.results(new Unit(run, seed, eval));
  }

  private static boolean upToDate(Layout layout, String digest) {
    if (!Files.isRegularFile(layout.summaryJson()) || !Files.isRegularFile(layout.summaryMd())
        || !Files.isRegularFile(layout.report())) {
      return false;
    }
    JsonNode s = Json.read(layout.summaryJson());
    return s.path("inputs_sha256").asText().equals(digest);
  }

  /** SHA-256 over the canonical plan and the bytes of every file the outputs are made from. */
  static String digest(ComparePlan plan, Layout layout) throws IOException {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(Json.compact(PlanStore.canonical(plan)).getBytes(StandardCharsets.UTF_8));
      for (Unit u : Unit.of(plan)) {
        Path f = u.isFinetune() ? layout.finetuneRecord(u.run(), u.seed()) : layout.results(u);
        md.update((u.id() + "\n").getBytes(StandardCharsets.UTF_8));
        if (Files.isRegularFile(f)) md.update(Files.readAllBytes(f));
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
