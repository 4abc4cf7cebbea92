package io.cream.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.cream.util.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real client on loopback: OpenAI's own Node SDK (npm `openai`, pinned by the project's
 * package-lock.json and installed with `npm ci` into target/node) runs src/test/node/openai-client
 * /client.mjs against a served model: models, completions and chat completions, whole and
 * streamed, and the SDK's error classes. No npm, or a failing install, fails the test.
 */
class OpenAiClientTest {
  static final Path SOURCE = Path.of("src/test/node/openai-client");
  static final Path WORK = Path.of("target/node/openai-client");

  @TempDir Path tmp;

  @Test
  void theOpenAiNodeSdkTalksToTheServer() throws Exception {
    Path client = install();
    try (TestServer s = new TestServer(tmp.resolve("model")).start(1, 4)) {
      Run r = run(client, List.of("node", "client.mjs", "http://127.0.0.1:" + s.server.port() + "/v1", TestServer.NAME), 180);
      assertEquals(0, r.code(), "client.mjs failed:\n" + r.output() + "\nserver log:\n" + s.log());
      String last = r.output().strip().lines().reduce((a, b) -> b).orElse("");
      JsonNode summary = Json.MAPPER.readTree(last);
      assertTrue(summary.get("ok").asBoolean(), r.output());
      assertTrue(s.log().contains("\"POST /v1/chat/completions\" 200 stream,"), s.log());
    }
  }

  /** Copies the client into target/node and runs `npm ci` there unless its lock file is installed already. */
  static Path install() throws Exception {
    Files.createDirectories(WORK);
    for (String f : List.of("package.json", "package-lock.json", "client.mjs")) {
      Files.copy(SOURCE.resolve(f), WORK.resolve(f), StandardCopyOption.REPLACE_EXISTING);
    }
    String lock = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(SOURCE.resolve("package-lock.json"))));
    Path stamp = WORK.resolve("node_modules/.cream-installed");
    if (Files.isRegularFile(stamp) && Files.readString(stamp).equals(lock)) return WORK;
    Run npm = run(WORK, List.of("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"), 300);
    if (npm.code() != 0) {
      fail("`npm ci` for the OpenAI client test failed (exit " + npm.code() + ") in " + WORK.toAbsolutePath()
          + "; it needs npm and the npm registry:\n" + npm.output());
    }
    Files.writeString(stamp, lock);
    return WORK;
  }

  record Run(int code, String output) {}

  static Run run(Path dir, List<String> command, int timeoutSeconds) throws Exception {
    Process p;
    try {
      p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      fail("cannot run `" + command.getFirst() + "` (" + e.getMessage() + "): the OpenAI client test needs Node.js"
          + " and npm on PATH ('apt-get install nodejs npm')");
      throw e;
    }
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes(); // the process ends when its output does
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("`" + String.join(" ", command) + "` did not finish in " + timeoutSeconds + " s");
    }
    return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }
}
