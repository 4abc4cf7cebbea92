package io.cream.gguf;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.util.CreamCache;
import io.cream.util.Json;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A real llama.cpp for the GGUF tests: node-llama-cpp's prebuilt linux-x64 CPU binaries, installed
 * by {@code npm ci} from src/test/node/llama-cpp (package.json and its lock, exact versions) into
 * the cream cache ($CREAM_CACHE or ~/.cache/cream), in a folder named by the hash of those files,
 * so a second run reuses it and a changed pin installs afresh. Optional packages (node-llama-cpp's
 * CUDA and Vulkan builds, hundreds of MB) are left out and install scripts are not run: the CPU
 * binaries arrive as a plain dependency. Without node, npm or the registry the test fails, saying
 * which; it never skips. One node process answers every request of a test run.
 */
final class LlamaCppNode {
  static final Path SOURCE = Path.of("src/test/node/llama-cpp");
  static final List<String> FILES = List.of("package.json", "package-lock.json", "gguf-logprobs.mjs");
  private static final long INSTALL_MINUTES = 10, RUN_MINUTES = 5;
  private static Path installed;
  private static Process server;
  private static Path serverLog;
  private static BufferedWriter toServer;
  private static BufferedReader fromServer;

  private LlamaCppNode() {}

  /**
   * Sends one request to gguf-logprobs.mjs (started on first use and kept for the JVM's life, so
   * llama.cpp loads once) with {@code model} and the request's other fields ({@code tokens},
   * {@code texts}); the script's JSON answer.
   */
  static synchronized JsonNode run(Path model, ObjectNode request) throws IOException {
    request.put("model", model.toAbsolutePath().toString());
    if (server == null || !server.isAlive()) start();
    toServer.write(Json.compact(request));
    toServer.newLine();
    toServer.flush();
    String line;
    try {
      line = CompletableFuture.supplyAsync(() -> {
        try {
          return fromServer.readLine();
        } catch (IOException e) {
          return null;
        }
      }).get(RUN_MINUTES, TimeUnit.MINUTES);
    } catch (Exception e) {
      server.destroyForcibly();
      return fail("llama.cpp gave no answer in " + RUN_MINUTES + " minutes: " + tail(Files.readString(serverLog)));
    }
    if (line == null) return fail("llama.cpp (node) stopped: " + tail(Files.readString(serverLog)));
    JsonNode answer = Json.MAPPER.readTree(line);
    if (answer.has("error")) return fail("llama.cpp failed on " + model + ": " + answer.get("error").asText());
    return answer;
  }

  private static void start() throws IOException {
    Path dir = install();
    serverLog = Files.createTempFile("llama-cpp-node", ".log");
    server = new ProcessBuilder(program("node"), "gguf-logprobs.mjs").directory(dir.toFile())
        .redirectError(serverLog.toFile()).start();
    toServer = new BufferedWriter(new OutputStreamWriter(server.getOutputStream(), StandardCharsets.UTF_8));
    fromServer = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
    Process started = server;
    Path log = serverLog;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      started.destroy();
      try {
        Files.deleteIfExists(log);
      } catch (IOException ignored) { // a temp file left behind is harmless
      }
    }));
  }

  /** The install folder, made once per JVM (and once per machine while the pins do not change). */
  static synchronized Path install() throws IOException {
    if (installed != null) return installed;
    Path dir = CreamCache.dir("llama-cpp-node", hash());
    if (!Files.isDirectory(dir.resolve("node_modules/@node-llama-cpp/linux-x64"))) {
      Path tmp = Files.createDirectories(dir.resolveSibling(dir.getFileName() + ".tmp" + ProcessHandle.current().pid()));
      for (String f : FILES) Files.copy(SOURCE.resolve(f), tmp.resolve(f), StandardCopyOption.REPLACE_EXISTING);
      npmCi(tmp);
      try {
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException raced) { // another run installed the same pins first: use theirs
        if (!Files.isDirectory(dir.resolve("node_modules"))) throw raced;
        deleteTree(tmp);
      }
    }
    return installed = dir;
  }

  private static String hash() throws IOException {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String f : FILES) sha.update(Files.readAllBytes(SOURCE.resolve(f)));
      return HexFormat.of().formatHex(sha.digest(), 0, 8);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String program(String name) {
    for (String entry : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      Path p = Path.of(entry.isEmpty() ? "." : entry, name);
      if (Files.isExecutable(p)) return p.toString();
    }
    return fail(name + " not found on PATH: the GGUF tests run llama.cpp through Node.js; install node and npm"
        + " (apt-get install nodejs npm)");
  }

  /** {@code npm ci} in {@code dir}: exactly the locked versions, no optional packages, no install scripts. */
  private static void npmCi(Path dir) throws IOException {
    List<String> command = List.of(program("npm"), "ci", "--omit=optional", "--ignore-scripts", "--no-audit",
        "--no-fund", "--loglevel=error");
    Path log = Files.createTempFile("npm-ci", ".log");
    try {
      ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(log.toFile());
      pb.environment().put("npm_config_update_notifier", "false");
      Process p = pb.start();
      boolean done;
      try {
        done = p.waitFor(INSTALL_MINUTES, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        done = false;
      }
      if (!done) p.destroyForcibly();
      if (!done || p.exitValue() != 0) {
        fail("npm ci in " + dir + (done ? " failed (exit " + p.exitValue() + ")" : " did not finish in "
            + INSTALL_MINUTES + " minutes") + ": " + tail(Files.readString(log, StandardCharsets.UTF_8))
            + " — the GGUF tests need npm's registry once, to install node-llama-cpp");
      }
    } finally {
      Files.deleteIfExists(log);
    }
  }

  private static String tail(String out) {
    String s = out.strip();
    return s.length() <= 2000 ? s : "..." + s.substring(s.length() - 2000);
  }

  private static void deleteTree(Path root) throws IOException {
    try (var paths = Files.walk(root)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    }
  }
}
