package io.cream.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Claims are exclusive between owners in one JVM and between processes, and die with their process. */
class ClaimsTest {
  @TempDir Path tmp;

  @Test
  void aUnitHeldByAnotherOwnerInThisProcessIsRefusedUntilReleased() throws Exception {
    Claims mine = new Claims(tmp.resolve("locks"));
    Claims theirs = new Claims(tmp.resolve("locks"));
    Optional<Claims.Claim> a = mine.tryClaim("finetune--cream-seed-0");
    assertTrue(a.isPresent());
    assertTrue(theirs.tryClaim("finetune--cream-seed-0").isEmpty(), "held by the other owner");
    // A refused attempt must not drop the holder's lock (closing a second channel on the file would).
    assertTrue(theirs.tryClaim("finetune--cream-seed-0").isEmpty(), "still held");
    Optional<Claims.Claim> other = theirs.tryClaim("finetune--cream-seed-1");
    assertTrue(other.isPresent(), "another unit is free");
    a.get().close();
    assertEquals("", Files.readString(tmp.resolve("locks/finetune--cream-seed-0.lock")).strip(), "no holder named once released");
    Optional<Claims.Claim> b = theirs.tryClaim("finetune--cream-seed-0");
    assertTrue(b.isPresent(), "free once released");
    b.get().close();
    other.get().close();
    assertTrue(Files.isRegularFile(tmp.resolve("locks/finetune--cream-seed-0.lock")), "lock files stay");
  }

  @Test
  void aClaimHeldByAnotherProcessIsRefusedAndDiesWithIt() throws Exception {
    Path locks = tmp.resolve("locks");
    String java = ProcessHandle.current().info().command().orElse("java");
    Process holder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        LockHolder.class.getName(), locks.toString(), "eval-passkey--pose-seed-2")
        .redirectErrorStream(true).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
      assertEquals("held", out.readLine(), "the other process took the claim");
      Claims claims = new Claims(locks);
      assertTrue(claims.tryClaim("eval-passkey--pose-seed-2").isEmpty(), "held by another process");
      assertTrue(Files.readString(locks.resolve("eval-passkey--pose-seed-2.lock")).startsWith("pid " + holder.pid()));
      // Killed, not released: the operating system drops the lock with the process.
      holder.destroyForcibly();
      assertTrue(holder.waitFor(10, TimeUnit.SECONDS));
      Optional<Claims.Claim> c = claims.tryClaim("eval-passkey--pose-seed-2");
      assertTrue(c.isPresent(), "no stale claim after the holder died");
      c.get().close();
    } finally {
      holder.destroyForcibly();
    }
    assertFalse(holder.isAlive());
  }

  /** A separate process that claims one unit, says so, and holds it until killed. */
  public static final class LockHolder {
    public static void main(String[] args) throws Exception {
      Optional<Claims.Claim> c = new Claims(Path.of(args[0])).tryClaim(args[1]);
      System.out.println(c.isPresent() ? "held" : "refused");
      System.out.flush();
      Thread.sleep(60_000);
    }
  }
}
