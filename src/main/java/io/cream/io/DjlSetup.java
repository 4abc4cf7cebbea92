package io.cream.io;

import java.util.ServiceLoader;

/**
 * Keeps the DJL tokenizer library quiet and offline: no telemetry call home, no hub downloads, and
 * no SLF4J "no provider" banner on stderr when the application has no logging backend.
 */
final class DjlSetup {
  private DjlSetup() {}

  private static volatile boolean done;

  static synchronized void ensureQuietAndOffline() {
    if (done) return;
    setIfAbsent("OPT_OUT_TRACKING", "true");
    setIfAbsent("ai.djl.offline", "true");
    if (!hasSlf4jProvider()) {
      // Pick SLF4J's own no-op logger explicitly, and silence the line announcing that choice.
      setIfAbsent("slf4j.provider", "org.slf4j.helpers.NOP_FallbackServiceProvider");
      setIfAbsent("slf4j.internal.verbosity", "WARN");
    }
    done = true;
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) System.setProperty(key, value);
  }

  private static boolean hasSlf4jProvider() {
    try {
      Class<?> spi = Class.forName("org.slf4j.spi.SLF4JServiceProvider");
      return ServiceLoader.load(spi).findFirst().isPresent();
    } catch (ClassNotFoundException | java.util.ServiceConfigurationError e) {
      return false;
    }
  }
}
