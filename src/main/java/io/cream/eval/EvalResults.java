package io.cream.eval;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import io.cream.util.Json;
import io.cream.util.UserError;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The content of a task run's results.json; the schema is documented in docs/eval-results.md.
 *
 * @param schemaVersion bumped when a field changes meaning
 * @param task passkey, needle, kv, lines or ppl
 * @param model the model's name
 * @param ropeOverride RoPE scaling forced on the model for this run, or null (always written)
 * @param seed the run's seed
 * @param lengthUnit what {@code length} counts: "tokens" or "keys"
 * @param positionAxis what {@code position} means: "depth_percent", "gold_index" or "none"
 * @param options every setting of the run (defaults resolved)
 * @param chart file name of the chart beside results.json, or null while the run is unfinished
 * @param complete false while the run is still going (the file is rewritten after every cell)
 * @param cells one aggregate per cell, in grid order
 * @param records one entry per sample
 * @param timings totals
 * @param creamVersion version of cream that wrote the file
 * @param date when the run started (ISO-8601, UTC)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EvalResults(
    int schemaVersion,
    String task,
    String model,
    @JsonInclude(JsonInclude.Include.ALWAYS) String ropeOverride,
    long seed,
    String lengthUnit,
    String positionAxis,
    EvalOptions options,
    String chart,
    boolean complete,
    List<CellSummary> cells,
    List<CaseRecord> records,
    Timings timings,
    String creamVersion,
    String date) {

  public static final int SCHEMA_VERSION = 2;
  public static final String FILE_NAME = "results.json";

  /**
   * Totals of a run.
   *
   * @param totalSeconds wall time of all cells
   * @param tokensPerSecond (prompt + generated tokens, or scored tokens for ppl) per second of
   *     model time
   * @param promptTokens prompt tokens read (ppl: tokens scored)
   * @param generatedTokens new tokens generated
   */
  public record Timings(double totalSeconds, double tokensPerSecond, long promptTokens, long generatedTokens) {}

  /** Reads and checks a results.json; a missing, malformed or incomplete file is a UserError naming it. */
  public static EvalResults read(Path file) {
    JsonNode tree = Json.read(file);
    EvalResults r;
    try {
      r = Json.MAPPER.readerFor(EvalResults.class)
          .without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .readValue(tree);
    } catch (IOException | IllegalArgumentException e) {
      throw new UserError("not a cream results file: " + file + " (" + e.getMessage().lines().findFirst().orElse("") + ")");
    }
    for (String field : List.of("task", "model", "cells", "positionAxis", "lengthUnit")) {
      UserError.require(tree.hasNonNull(field), "not a cream results file: " + file + " has no '" + field
          + "' field; point to a folder written by 'cream eval'");
    }
    UserError.require(EvalTasks.NAMES.contains(r.task()), "unknown task '" + r.task() + "' in " + file
        + "; expected one of " + EvalTasks.NAMES);
    return r;
  }
}
