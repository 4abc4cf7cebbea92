package io.cream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** `cream serve` refuses bad input with one line and exit code 2 (its working path: ServeApiTest). */
class ServeCommandTest {
  @Test
  void badFlagsAreOneLine() {
    CliRun r = CliRun.of("serve", "--model", "no/such/folder");
    assertEquals(2, r.code());
    assertEquals("cream: model folder not found: no/such/folder", r.err().strip());
    r = CliRun.of("serve", "--model", "models/cream-base-4m", "--parallel", "0");
    assertEquals(2, r.code());
    assertEquals("cream: --parallel must be at least 1, got 0", r.err().strip());
  }

  @Test
  void aPortInUseSaysSo() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CliRun r = CliRun.of("serve", "--model", "models/cream-base-4m", "--port", String.valueOf(taken.getLocalPort()));
      assertEquals(2, r.code(), r.err());
      assertTrue(r.err().strip().startsWith("cream: cannot listen on 127.0.0.1:" + taken.getLocalPort()), r.err());
      assertTrue(r.err().strip().endsWith("choose another --port, or stop what uses it"), r.err());
    }
  }
}
