package io.cream.eval;

/** The running cream version, for results files. */
final class CreamVersion {
  private CreamVersion() {}

  /** The jar manifest's version, else the CLI's declared version, else "unknown". */
  static String get() {
    String v = CreamVersion.class.getPackage().getImplementationVersion();
    if (v != null) return v;
    try {
      // Read reflectively so eval does not depend on the cli package at compile time.
      Class<?> main = Class.forName("io.cream.cli.Main");
      var command = main.getAnnotation(picocli.CommandLine.Command.class);
      if (command != null && command.version().length > 0) return command.version()[0].replaceFirst("^cream\\s+", "");
    } catch (ClassNotFoundException e) {
      // fall through
    }
    return "unknown";
  }
}
