package io.cream.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The command line that started this JVM, to start workers exactly like it. */
final class SelfCommand {
  private SelfCommand() {}

  /**
   * Everything before the program arguments: the java binary and its options, with -jar or -cp
   * and the main class, such that prefix + programArgs re-runs this command. Taken from the
   * process's own command line when its tail is programArgs (keeping -Xmx and friends); otherwise
   * (cream started from another program's JVM) this runtime's java with the class path and the
   * options the launcher passes.
   */
  static List<String> javaPrefix(List<String> programArgs) {
    ProcessHandle.Info info = ProcessHandle.current().info();
    Optional<String> command = info.command();
    Optional<String[]> args = info.arguments();
    if (command.isPresent() && args.isPresent()) {
      List<String> all = Arrays.asList(args.get());
      int head = all.size() - programArgs.size();
      if (head > 0 && all.subList(head, all.size()).equals(programArgs)) {
        List<String> prefix = new ArrayList<>();
        prefix.add(command.get());
        prefix.addAll(all.subList(0, head));
        return prefix;
      }
    }
    return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-cp", System.getProperty("java.class.path"), Main.class.getName());
  }
}
