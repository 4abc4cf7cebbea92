package io.cream.eval.report;

import io.cream.eval.EvalResults;
import io.cream.util.UserError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** The results.json files named by the report's arguments: files, or folders searched recursively. */
public final class ResultsFinder {
  private ResultsFinder() {}

  public static List<Path> find(List<Path> inputs) {
    UserError.require(!inputs.isEmpty(), "no results given; pass folders written by 'cream eval' (or their results.json files)");
    Set<Path> found = new LinkedHashSet<>();
    for (Path input : inputs) {
      if (Files.isRegularFile(input)) {
        found.add(input.toAbsolutePath().normalize());
        continue;
      }
      UserError.require(Files.isDirectory(input), "not found: " + input + " (pass a folder written by 'cream eval' or its results.json)");
      List<Path> here = new ArrayList<>();
      try (Stream<Path> walk = Files.walk(input)) {
        walk.filter(p -> p.getFileName().toString().equals(EvalResults.FILE_NAME) && Files.isRegularFile(p))
            .sorted()
            .forEach(p -> here.add(p.toAbsolutePath().normalize()));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot search " + input, e);
      }
      UserError.require(!here.isEmpty(), "no " + EvalResults.FILE_NAME + " under " + input + "; pass folders written by 'cream eval'");
      found.addAll(here);
    }
    return List.copyOf(found);
  }
}
