package io.cream.cli;

import io.cream.util.RunFailure;
import io.cream.util.UserError;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point: the `cream` command and its subcommands. */
@Command(
    name = "cream",
    mixinStandardHelpOptions = true,
    version = "cream 0.1.0",
    description = "Extend the context window of Llama-family models with CREAM.",
    subcommands = {
      CommandLine.HelpCommand.class,
      QuickstartCommand.class,
      PositionsCommand.class,
      RopeCommand.class,
      TrainCommand.class,
      GenerateCommand.class,
      ScoreCommand.class,
      EvalCommand.class,
      ReportCommand.class,
      CompareCommand.class,
      FetchCommand.class,
      VocabCommand.class,
      SynthCommand.class,
      ExportCommand.class,
      ServeCommand.class,
      BenchCommand.class,
    })
public final class Main implements Runnable {

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs a command line and returns its exit code (0 ok, 1 failure, 2 bad usage or input). */
  public static int execute(String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setParameterExceptionHandler(Main::badUsage);
    cli.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          PrintWriter err = cmd.getErr();
          if (e instanceof UserError) {
            err.println("cream: " + e.getMessage());
            err.flush();
            return 2;
          }
          if (e instanceof RunFailure) {
            err.println("cream: " + e.getMessage());
            if (System.getenv("CREAM_DEBUG") != null) e.printStackTrace(err);
            err.flush();
            return 1;
          }
          err.println("cream: " + e.getClass().getSimpleName() + ": " + e.getMessage());
          if (System.getenv("CREAM_DEBUG") != null) e.printStackTrace(err);
          err.flush();
          return 1;
        });
    return cli.execute(args);
  }

  private static int badUsage(CommandLine.ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    cmd.getErr().println("cream: " + e.getMessage() + " (see '" + cmd.getCommandSpec().qualifiedName() + " --help')");
    cmd.getErr().flush();
    return 2;
  }
}
