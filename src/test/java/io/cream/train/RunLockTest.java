package io.cream.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cream.util.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One run per output folder: a second run, in this process or another, is refused by name. */
class RunLockTest {
  @TempDir Path tmp;

  @Test
  void aSecondRunInThisProcessIsRefusedUntilTheFirstEnds() {
    Path out = tmp.resolve("out");
    try (RunLock first = RunLock.acquire(out)) {
      UserError e = assertThrows(UserError.class, () -> RunLock.acquire(out));
      assertTrue(e.getMessage().startsWith(out + " is in use by another training run (pid "
          + ProcessHandle.current().pid()), e.getMessage());
      // Another spelling of the same folder is the same folder.
      assertThrows(UserError.class, () -> RunLock.acquire(tmp.resolve("x/../out")));
    }
    RunLock.acquire(out).close(); // released
  }

  @Test
  void aRunInAnotherProcessHoldsTheFolderUntilItDies() throws Exception {
    Path out = tmp.resolve("out");
    Process other = FaultProcess.start("lock", out);
    try {
      UserError e = assertThrows(UserError.class, () -> RunLock.acquire(out));
      assertTrue(e.getMessage().contains("in use by another training run (pid " + other.pid() + ", started "),
          e.getMessage());
      assertFalse(e.getMessage().contains("\n"));
    } finally {
      FaultProcess.kill(other);
    }
    RunLock.acquire(out).close(); // kill -9 released it: no stale lock
  }

  @Test
  void outMustBeAWritableFolder() throws Exception {
    Path file = Files.writeString(tmp.resolve("file"), "x");
    UserError e = assertThrows(UserError.class, () -> RunLock.acquire(file));
    assertEquals("--out " + file + " is a file, not a folder; choose a folder", e.getMessage());
    e = assertThrows(UserError.class, () -> RunLock.acquire(file.resolve("below")));
    assertTrue(e.getMessage().startsWith("cannot create the --out folder " + file.resolve("below")), e.getMessage());
  }
}
