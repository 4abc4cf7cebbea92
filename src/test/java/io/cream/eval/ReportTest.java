package io.cream.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cream.cli.Main;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** `cream report` over two runs of every task (oracle and wrong), read back as XML. */
class ReportTest {
  @TempDir static Path tmp;
  static Path base;
  static Path cream;

  @BeforeAll
  static void runEveryTaskTwice() throws IOException {
    Path docs = Files.createDirectories(tmp.resolve("docs"));
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 400; i++) text.append("w").append(i % 17).append(' ');
    Files.writeString(docs.resolve("doc.txt"), text);
    EvalOptions o = EvalRunnerTest.small().withSamples(2).withDataDir(docs).withLengths(List.of(150, 300));
    base = tmp.resolve("base");
    cream = tmp.resolve("cream");
    for (String task : EvalTasks.NAMES) {
      boolean ppl = task.equals("ppl");
      // The base perplexity model reads through 64-token windows, so it has less context: higher ppl.
      EvalModel bad = ppl ? new KnownLogProbModel("windowed-logprobs", 64) : new WrongModel(10_000);
      EvalModel good = ppl ? new KnownLogProbModel(10_000) : new OracleModel(10_000);
      // The strided protocol reads lengths beyond the windowed model's 64 tokens.
      EvalOptions t = ppl ? o.withPplProtocol(PplProtocol.STRIDED) : o;
      EvalRunnerTest.run(task, bad, t, base.resolve(task));
      EvalRunnerTest.run(task, good, t.withRopeOverride("yarn"), cream.resolve(task));
    }
  }

  static int cli(ByteArrayOutputStream err, String... args) {
    PrintStream old = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      return Main.execute(args);
    } finally {
      System.setErr(old);
    }
  }

  @Test
  void reportIsWellFormedWithChartsAndTables() throws Exception {
    Path html = tmp.resolve("out/report.html");
    assertEquals(0, Main.execute("report", base.toString(), cream.toString(), "--out", html.toString(), "--title", "base vs CREAM"));
    String page = Files.readString(html);
    assertTrue(page.startsWith("<!DOCTYPE html>"));

    var factory = DocumentBuilderFactory.newInstance();
    factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    Document doc = factory.newDocumentBuilder().parse(html.toFile()); // throws unless well-formed
    assertEquals("html", doc.getDocumentElement().getTagName());
    assertEquals("base vs CREAM", doc.getElementsByTagName("title").item(0).getTextContent());

    // Heatmaps per run for passkey and needle (2 + 2), one comparison chart each for kv, lines, ppl.
    NodeList images = doc.getElementsByTagName("img");
    assertEquals(7, images.getLength());
    for (int i = 0; i < images.getLength(); i++) {
      String src = ((Element) images.item(i)).getAttribute("src");
      assertTrue(src.startsWith("data:image/png;base64,"));
      BufferedImage png = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(src.substring(22))));
      assertEquals(800, png.getWidth());
      assertTrue(EvalRunnerTest.distinctColours(png) > 10, "image " + i + " is blank");
    }

    NodeList sections = doc.getElementsByTagName("section");
    assertEquals(EvalTasks.NAMES, java.util.stream.IntStream.range(0, sections.getLength())
        .mapToObj(i -> ((Element) sections.item(i)).getAttribute("id")).toList());
    // Runs table + passkey (accuracy, leading digits), needle (ROUGE-L, containment, partial), kv (one
    // per key count), lines, ppl tables.
    NodeList tables = doc.getElementsByTagName("table");
    assertEquals(9, tables.getLength());
    List<String> rows = rows(doc.getDocumentElement());
    // The oracle run is labelled by model name and RoPE override; its lines row is all ones.
    assertTrue(rows.contains("oracle [yarn] 1.00 1.00 1.00"), rows.toString());
    assertTrue(rows.contains("wrong 0.00 0.00 0.00"), rows.toString());
    assertTrue(rows.contains("oracle [yarn] 1.00 1.00 1.00 1.00 1.00 1.00"), rows.toString());
    List<String> pplRows = rows((Element) sections.item(EvalTasks.NAMES.indexOf("ppl")));
    double[] windowed = numbers(pplRows, "windowed-logprobs ");
    double[] whole = numbers(pplRows, "known-logprobs [yarn] ");
    assertEquals(2, whole.length);
    for (int i = 0; i < 2; i++) assertTrue(windowed[i] > whole[i] && whole[i] > 1, rows.toString());
  }

  /** Text of every table row under an element, whitespace collapsed. */
  private static List<String> rows(Element root) {
    List<String> rows = new ArrayList<>();
    NodeList trs = root.getElementsByTagName("tr");
    for (int i = 0; i < trs.getLength(); i++) rows.add(trs.item(i).getTextContent().replaceAll("\\s+", " ").strip());
    return rows;
  }

  /** The numbers of the table row that starts with the label. */
  private static double[] numbers(List<String> rows, String label) {
    String row = rows.stream().filter(r -> r.startsWith(label)).findFirst().orElseThrow(() -> new AssertionError(label + " in " + rows));
    return java.util.Arrays.stream(row.substring(label.length()).split(" ")).mapToDouble(Double::parseDouble).toArray();
  }

  @Test
  void reportCommandPrintsWhatItWrote() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream old = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      assertEquals(0, cli(err, "report", cream.resolve("kv").resolve("results.json").toString(), "--out", tmp.resolve("kv.html").toString()));
    } finally {
      System.setOut(old);
    }
    assertTrue(out.toString().contains("(1 run, 1 task)"), out.toString());
  }

  @Test
  void missingOrInvalidResultsAreUserErrorsNamingTheFile() throws IOException {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertEquals(2, cli(err, "report", empty.toString(), "--out", tmp.resolve("x.html").toString()));
    assertTrue(err.toString().contains("no results.json under " + empty), err.toString());

    Path broken = Files.createDirectories(tmp.resolve("broken"));
    Files.writeString(broken.resolve("results.json"), "{\"task\": \"passkey\", ");
    err.reset();
    assertEquals(2, cli(err, "report", broken.toString(), "--out", tmp.resolve("x.html").toString()));
    assertTrue(err.toString().contains(broken.resolve("results.json").toString()), err.toString());
    assertEquals(1, err.toString().strip().lines().count(), "one line, no stack trace: " + err);

    Files.writeString(broken.resolve("results.json"), "{\"model\": \"m\"}");
    err.reset();
    assertEquals(2, cli(err, "report", broken.toString(), "--out", tmp.resolve("x.html").toString()));
    assertTrue(err.toString().contains("has no 'task' field"), err.toString());
    assertTrue(!Files.exists(tmp.resolve("x.html")));
  }
}
