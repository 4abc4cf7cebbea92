package io.cream.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * `--help` reads finished, for every command and subcommand there is or will be: each command's
 * one-line summary (what `cream --help` lists) is a whole sentence, and every option and
 * parameter has a description that states its default where it has one.
 */
class HelpTextTest {

  /** Every command reachable from `cream`, subcommands of subcommands included. */
  private static List<CommandSpec> commands() {
    List<CommandSpec> out = new ArrayList<>();
    collect(new CommandLine(new Main()).getCommandSpec(), out);
    return out;
  }

  private static void collect(CommandSpec spec, List<CommandSpec> out) {
    out.add(spec);
    for (CommandLine sub : spec.subcommands().values()) {
      if (!out.contains(sub.getCommandSpec())) collect(sub.getCommandSpec(), out); // aliases repeat
    }
  }

  /** What `--help` of the parent lists: the header's first line, else the description's. */
  private static String summary(CommandSpec spec) {
    String[] header = spec.usageMessage().header();
    String[] description = spec.usageMessage().description();
    if (header.length > 0) return header[0];
    return description.length > 0 ? description[0] : "";
  }

  private static String text(ArgSpec arg) {
    return String.join(" ", arg.description()).trim();
  }

  /** A default worth stating: a value the option takes when it is not given (flags excepted). */
  private static boolean hasDefault(ArgSpec arg) {
    if (arg.required() || arg.hidden()) return false;
    if (arg instanceof OptionSpec o && o.arity().max() == 0) return false; // a flag: off unless given
    if (arg.defaultValue() != null) return true;
    Object initial = arg.initialValue();
    if (initial == null || initial instanceof Boolean) return false;
    return !(initial instanceof List<?> list) || !list.isEmpty();
  }

  @Test
  void everySummaryIsAWholeSentence() {
    List<String> bad = new ArrayList<>();
    for (CommandSpec c : commands()) {
      String s = summary(c).trim();
      if (s.isEmpty() || !s.endsWith(".")) bad.add("'" + c.qualifiedName() + "': \"" + s + "\"");
    }
    assertTrue(bad.isEmpty(), "summary lines that are not a sentence ending with a period:\n" + String.join("\n", bad));
  }

  @Test
  void everyOptionAndParameterIsDescribed() {
    List<String> bad = new ArrayList<>();
    for (CommandSpec c : commands()) {
      List<ArgSpec> args = new ArrayList<>(c.options());
      args.addAll(c.positionalParameters());
      for (ArgSpec a : args) {
        if (!a.hidden() && text(a).isEmpty()) bad.add(c.qualifiedName() + " " + name(a));
      }
    }
    assertTrue(bad.isEmpty(), "options or parameters without a description:\n" + String.join("\n", bad));
  }

  @Test
  void everyDefaultIsStated() {
    List<String> bad = new ArrayList<>();
    for (CommandSpec c : commands()) {
      for (OptionSpec o : c.options()) {
        String t = text(o);
        if (hasDefault(o) && !t.contains("${DEFAULT-VALUE}") && !t.toLowerCase(Locale.ROOT).contains("default")) {
          bad.add(c.qualifiedName() + " " + name(o) + ": \"" + t + "\"");
        }
      }
    }
    assertTrue(bad.isEmpty(), "options whose description does not state the default (use ${DEFAULT-VALUE}):\n"
        + String.join("\n", bad));
  }

  private static String name(ArgSpec a) {
    return a instanceof OptionSpec o ? o.longestName() : a.paramLabel();
  }
}
