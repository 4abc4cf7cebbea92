package io.cream.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cream.util.UserError;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class KvRetrievalTest {
  private static final Pattern UUID_V4 = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");

  @Test
  void defaultGoldPositionsAreThePapers() {
    assertEquals(List.of(0, 18, 37, 54, 74), GoldPositions.defaults(75));
    assertEquals(List.of(0, 34, 69, 104, 139), GoldPositions.defaults(140));
    // The floor rule behind the defaults: exact for 140 keys, one off (55, not 54) for 75.
    assertEquals(List.of(0, 34, 69, 104, 139), GoldPositions.evenlySpaced(140, 5));
    assertEquals(List.of(0, 18, 37, 55, 74), GoldPositions.evenlySpaced(75, 5));
    assertEquals(List.of(0, 25, 50, 75, 100), GoldPositions.defaults(101));
    assertEquals(List.of(0, 1, 2), GoldPositions.defaults(3));
  }

  @Test
  void pairsAreDistinctVersion4Uuids() {
    var pairs = KvRetrievalTask.pairs(CaseRandom.of(7, "kv", 140, 0), 140);
    Set<String> seen = new HashSet<>();
    for (var p : pairs) {
      assertTrue(UUID_V4.matcher(p.key()).matches(), p.key());
      assertTrue(UUID_V4.matcher(p.value()).matches(), p.value());
      assertTrue(seen.add(p.key()) && seen.add(p.value()));
    }
    assertEquals(pairs, KvRetrievalTask.pairs(CaseRandom.of(7, "kv", 140, 0), 140), "same seed, same pairs");
  }

  @Test
  void shortKeysAreDistinctEightCharacterHex() {
    var pairs = KvRetrievalTask.pairs(CaseRandom.of(7, "kv", 500, 0), 500, KvKeyFormat.SHORT);
    Set<String> seen = new HashSet<>();
    for (var p : pairs) {
      assertTrue(p.key().matches("[0-9a-f]{8}") && p.value().matches("[0-9a-f]{8}"), p.toString());
      assertTrue(seen.add(p.key()) && seen.add(p.value()));
    }
    // The UUID format draws exactly what it drew before the option existed.
    assertEquals(KvRetrievalTask.pairs(CaseRandom.of(7, "kv", 9, 0), 9),
        KvRetrievalTask.pairs(CaseRandom.of(7, "kv", 9, 0), 9, KvKeyFormat.UUID));
  }

  @Test
  void shortKeysReachThePromptAndTheResults(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) {
    EvalOptions o = EvalOptions.defaults().withKeys(List.of(20)).withSamples(2).withKvKey(KvKeyFormat.SHORT);
    TaskPrompt p = new KvRetrievalTask().prompt(new Cell(20, 3.0), 0, new OracleModel(10_000), o);
    assertTrue(p.query().matches("[0-9a-f]{8}") && p.expected().matches("[0-9a-f]{8}"), p.query());
    assertTrue(p.text().contains("\"" + p.query() + "\": \"" + p.expected() + "\""));
    EvalResults r = EvalResults.read(EvalRunnerTest.run("kv", new OracleModel(10_000), o, tmp));
    assertEquals(KvKeyFormat.SHORT, r.options().kvKey());
    for (CellSummary c : r.cells()) assertEquals(1.0, c.accuracy());
    assertThrows(UserError.class, () -> KvKeyFormat.parse("long"));
  }

  @Test
  void recordsFollowTheJsonLayout() {
    var pairs = KvRetrievalTask.pairs(CaseRandom.of(3, "kv", 5, 1), 5);
    String[] lines = KvRetrievalTask.records(pairs).split("\n", -1);
    assertEquals(5, lines.length);
    for (int i = 0; i < 5; i++) {
      String body = "\"" + pairs.get(i).key() + "\": \"" + pairs.get(i).value() + "\"";
      String expected = (i == 0 ? "{" : " ") + body + (i < 4 ? "," : "}");
      assertEquals(expected, lines[i]);
    }
  }

  @Test
  void cellsUseDefaultsPerKeyCountAndRejectOutOfRangeGold() {
    var cells = new KvRetrievalTask().cells(EvalOptions.defaults().withKeys(List.of(75, 140)));
    assertEquals(10, cells.size());
    assertEquals(new Cell(140, 104.0), cells.get(8));
    var bad = EvalOptions.defaults().withKeys(List.of(10)).withGoldPositions(List.of(0, 10));
    UserError e = assertThrows(UserError.class, () -> new KvRetrievalTask().cells(bad));
    assertTrue(e.getMessage().contains("--gold-positions"), e.getMessage());
  }
}
