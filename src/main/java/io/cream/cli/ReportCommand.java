package io.cream.cli;

import io.cream.eval.report.HtmlReport;
import io.cream.eval.report.LabeledRun;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `cream report DIR... --out report.html`: one HTML page comparing evaluation runs. */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description = {"Write one self-contained HTML page comparing evaluation runs.",
        "Heatmaps for passkey and needle, one chart per task with a line per run for kv, lines and ppl,"
            + " and tables of the numbers."})
public final class ReportCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "DIR", description = "Folders written by 'cream eval' (searched recursively for results.json), or results.json files.")
  List<Path> inputs;

  @Option(names = "--out", defaultValue = "report.html", paramLabel = "FILE", description = "The HTML file to write (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--title", defaultValue = "cream evaluation report", paramLabel = "TEXT", description = "Page title (default: ${DEFAULT-VALUE}).")
  String title;

  @Override
  public Integer call() throws Exception {
    List<LabeledRun> runs = HtmlReport.write(inputs, out, title);
    long tasks = runs.stream().map(r -> r.results().task()).distinct().count();
    System.out.println("wrote " + out + " (" + runs.size() + " run" + (runs.size() == 1 ? "" : "s") + ", " + tasks + " task"
        + (tasks == 1 ? "" : "s") + ")");
    return 0;
  }
}
