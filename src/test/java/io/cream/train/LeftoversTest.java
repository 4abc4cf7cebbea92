package io.cream.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a save killed with kill -9 leaves is removed at the next start; nothing else is. */
class LeftoversTest {
  @TempDir Path tmp;

  @Test
  void leftoversOfAKilledSaveAreRemovedAndCounted() throws Exception {
    Path out = tmp.resolve("out");
    Files.createDirectories(out.resolve("checkpoints/step-000005"));
    Files.write(out.resolve("checkpoints/step-000005/model.safetensors"), new byte[100]);
    Process save = FaultProcess.start("save", out); // stops mid-write, as a kill finds a save
    FaultProcess.kill(save);
    List<String> before = names(out);
    assertTrue(before.stream().anyMatch(n -> n.matches("checkpoints/\\.tmp-step-7-\\d+")), before.toString());
    assertTrue(before.stream().anyMatch(n -> n.matches("\\.model\\.safetensors\\.\\d+\\.tmp")), before.toString());

    Leftovers.Removed r = Leftovers.clean(out);
    assertEquals(2, r.entries());
    assertEquals(3000 + 5000, r.bytes());
    assertEquals("7.8 KiB in 2 file(s) or folder(s)", r.describe());
    assertEquals(List.of("checkpoints", "checkpoints/step-000005", "checkpoints/step-000005/model.safetensors"),
        names(out));
  }

  @Test
  void onlyCreamsOwnTemporaryNamesAreTouched() throws Exception {
    Path out = tmp.resolve("out");
    Path ck = Files.createDirectories(out.resolve("checkpoints/step-000002"));
    List<String> theirs = List.of("notes.tmp", ".notes.tmp", ".x.12ab.tmp", "model.safetensors.5.tmp",
        "checkpoints/tmp-step-1-2", "checkpoints/.tmp-step-x-2", "checkpoints/step-000002/.cache");
    for (String n : theirs) Files.writeString(out.resolve(n), "keep");
    Files.writeString(ck.resolve(".optimizer.safetensors.123.tmp"), "0123456789");
    Files.writeString(out.resolve("checkpoints/.trainer-state.json.9.tmp"), "01234");
    Files.createDirectories(out.resolve("checkpoints/.tmp-step-3-44/sub"));
    Files.writeString(out.resolve("checkpoints/.tmp-step-3-44/sub/f"), "abc");
    Leftovers.Removed r = Leftovers.clean(out);
    assertEquals(3, r.entries());
    assertEquals(18, r.bytes());
    for (String n : theirs) assertEquals("keep", Files.readString(out.resolve(n)), n);
    assertEquals(new Leftovers.Removed(0, 0), Leftovers.clean(out), "nothing left the second time");
    assertEquals(new Leftovers.Removed(0, 0), Leftovers.clean(tmp.resolve("absent")));
  }

  private static List<String> names(Path root) throws Exception {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> !p.equals(root)).map(p -> root.relativize(p).toString()).sorted().toList();
    }
  }
}
