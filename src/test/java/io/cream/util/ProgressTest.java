package io.cream.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ProgressTest {
  private static final long SECOND = 1_000_000_000L;

  private final AtomicLong now = new AtomicLong(5 * SECOND); // arbitrary start of the fake clock
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  private Progress.Builder fake(String label) {
    return Progress.builder(label).clock(now::get).out(out).width(200);
  }

  private String printed() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void durationsAsHoursMinutesSeconds() {
    assertEquals("0:00:00", Progress.formatDuration(0));
    assertEquals("0:00:59", Progress.formatDuration(59.4));
    assertEquals("0:01:00", Progress.formatDuration(59.6));
    assertEquals("1:02:03", Progress.formatDuration(3723));
    assertEquals("27:46:40", Progress.formatDuration(100_000));
    assertEquals("-:--:--", Progress.formatDuration(Double.NaN));
    assertEquals("-:--:--", Progress.formatDuration(Double.POSITIVE_INFINITY));
  }

  @Test
  void scaledNumbersKeepThreeDigits() {
    assertEquals("1.23k", Progress.scaled(1234));
    assertEquals("45.6M", Progress.scaled(45_600_000));
    assertEquals("1.00M", Progress.scaled(999_999));
    assertEquals("999", Progress.scaled(999));
    assertEquals("9999", Progress.formatCount(9999));
    assertEquals("12.3k", Progress.formatCount(12_345));
  }

  @Test
  void plainLineHasRateAndEta() {
    Progress p = fake("tokenizing").total(1000).unit("docs").mode(Progress.Mode.PLAIN).build();
    now.addAndGet(4 * SECOND);
    p.advance(250); // 250 docs in 4 s → 62.5 docs/s, 750 left → 12 s
    assertEquals("tokenizing  25.0% 250/1000 docs 62.5 docs/s elapsed 0:00:04 ETA 0:00:12",
        p.render(now.get(), false));
    assertEquals("", printed(), "no plain line before the interval");
  }

  @Test
  void plainLinesEveryIntervalThenFinal() {
    Progress p = fake("job").total(90).unit("steps").mode(Progress.Mode.PLAIN)
        .interval(Duration.ofSeconds(10)).build();
    for (int i = 0; i < 90; i++) {
      now.addAndGet(SECOND / 2); // one step every 0.5 s: lines at 10 s, 20 s, 30 s, 40 s
      p.advance(1);
    }
    p.setMessage("loss 2.31");
    p.close();
    p.close(); // idempotent
    String[] lines = printed().split("\n");
    assertEquals(5, lines.length, printed());
    assertEquals("job  22.2% 20/90 steps 2.00 steps/s elapsed 0:00:10 ETA 0:00:35", lines[0]);
    assertEquals("job 100.0% 90/90 steps 2.00 steps/s elapsed 0:00:45 done (loss 2.31)", lines[4]);
  }

  @Test
  void terminalLineRedrawsInPlaceWithBar() {
    Progress p = fake("fetch").total(46_600_000).unit("B").mode(Progress.Mode.TERMINAL).build();
    now.addAndGet(3 * SECOND);
    p.advance(23_300_000);
    String s = printed();
    assertTrue(s.startsWith("\r"), s);
    assertTrue(s.endsWith("\033[K"), s);
    assertEquals(
        "fetch [############------------]  50.0% 23.3MB/46.6MB 7.77MB/s elapsed 0:00:03 ETA 0:00:03",
        s.substring(1, s.length() - 3));
    p.close();
    assertTrue(printed().endsWith("\033[K\n"));
  }

  @Test
  void terminalRedrawIsRateLimited() {
    Progress p = fake("x").total(100).mode(Progress.Mode.TERMINAL).build();
    now.addAndGet(SECOND);
    p.advance(1);
    p.advance(1); // same instant: no second redraw
    now.addAndGet(SECOND / 10);
    p.advance(1); // 0.1 s later: still none
    assertEquals(1, printed().split("\r", -1).length - 1);
  }

  @Test
  void unknownTotalShowsCountAndRateOnly() {
    Progress p = fake("reading").unit("tokens").mode(Progress.Mode.PLAIN).build();
    now.addAndGet(2 * SECOND);
    p.advance(3_000_000);
    assertEquals("reading 3.00M tokens 1.50M tokens/s elapsed 0:00:02", p.render(now.get(), false));
    assertEquals("reading 3.00M tokens 1.50M tokens/s elapsed 0:00:02 done", p.render(now.get(), true));
  }

  @Test
  void noRateYetMeansUnknownEta() {
    Progress p = fake("x").total(10).unit("docs").mode(Progress.Mode.PLAIN).build();
    assertEquals("x   0.0% 0/10 docs 0.00 docs/s elapsed 0:00:00 ETA -:--:--", p.render(now.get(), false));
  }

  @Test
  void concurrentAdvancesAreAllCounted() {
    Progress p = fake("x").total(80_000).mode(Progress.Mode.SILENT).build();
    IntStream.range(0, 8).parallel().forEach(t -> {
      for (int i = 0; i < 10_000; i++) p.advance(1);
    });
    assertEquals(80_000, p.count());
    p.close();
    assertEquals("", printed());
  }

  @Test
  void terminalLineIsCutToWidth() {
    Progress p = fake("a-very-long-label").width(30).total(10).mode(Progress.Mode.TERMINAL).build();
    now.addAndGet(SECOND);
    p.advance(5);
    String s = printed();
    assertEquals(29, s.length() - 1 - 3, s);
  }
}
