package io.cream.compare;

import com.fasterxml.jackson.databind.JsonNode;
import io.cream.util.Json;
import io.cream.util.UserError;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The plan saved in the output folder (DIR/plan.json, resolved and canonical), which decides
 * whether reusing the folder's work is sound. A folder is reused by the same plan, or by a plan
 * that only adds to it — new runs, new evaluations, new seeds — since every unit's output depends
 * only on its own run, seed and evaluation, which must then be unchanged. Anything else is
 * refused, naming the first difference: a changed run or evaluation, a removed one, another base
 * model or data folder. The check and the write happen under a lock, so processes starting
 * together agree.
 */
final class PlanStore {
  static final String LOCK = "plan";

  private PlanStore() {}

  /** Saves the plan in a new folder, or checks it against the saved one (and saves an extension). */
  static void checkOrSave(ComparePlan plan, Layout layout, Claims claims, Duration poll, PrintStream log) throws IOException {
    Files.createDirectories(layout.dir());
    JsonNode now = canonical(plan);
    try (Claims.Claim c = claims.await(LOCK, poll)) {
      Path file = layout.plan();
      if (!Files.isRegularFile(file)) {
        try (Stream<Path> s = Files.list(layout.dir())) {
          UserError.require(s.allMatch(p -> p.equals(layout.locks())), layout.dir() + " is not empty and has no "
              + Layout.PLAN + " (not a 'cream compare' folder); delete it or pass --out NEW_DIR");
        }
        Json.writeAtomically(file, now);
        return;
      }
      JsonNode saved = Json.read(file);
      Optional<String> why = refusal(saved, now);
      if (why.isPresent()) {
        throw new UserError(layout.dir() + " holds a comparison made from another plan (" + file + "): " + why.get()
            + "; delete that folder or pass --out NEW_DIR (adding runs, evals or seeds to a plan is allowed)");
      }
      if (!saved.equals(now)) {
        log.println("[compare] extending the plan in " + layout.dir() + ": " + String.join(", ", additions(saved, now)));
        Json.writeAtomically(file, now);
      }
    }
  }

  /** Whether the folder's plan is (still) this plan: outputs are written only for the plan saved. */
  static boolean isSaved(ComparePlan plan, Layout layout) {
    return Files.isRegularFile(layout.plan()) && Json.read(layout.plan()).equals(canonical(plan));
  }

  /** The plan's JSON as it reads back from a file (so numbers compare equal whatever their Java type). */
  static JsonNode canonical(ComparePlan plan) {
    try {
      return Json.MAPPER.readTree(Json.compact(plan.toJson()));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Why {@code now} may not reuse work done for {@code saved}, or empty when it only adds to it. */
  static Optional<String> refusal(JsonNode saved, JsonNode now) {
    if (saved.path("format").asInt() != now.path("format").asInt()) {
      return Optional.of("it was written by another version of 'cream compare' (format "
          + saved.path("format") + ", now " + now.path("format") + ")");
    }
    if (!saved.path("base").equals(now.path("base"))) {
      return Optional.of("base was " + saved.path("base") + ", now " + now.path("base"));
    }
    if (!saved.path("data").isNull() && !saved.path("data").equals(now.path("data"))) {
      return Optional.of("data was " + saved.path("data") + ", now " + now.path("data"));
    }
    Set<JsonNode> seeds = new HashSet<>();
    now.path("seeds").forEach(seeds::add);
    for (JsonNode s : saved.path("seeds")) {
      if (!seeds.contains(s)) return Optional.of("seed " + s + " was removed");
    }
    Optional<String> r = sameEntries(saved.path("runs"), now.path("runs"), "name", "run");
    return r.isPresent() ? r : sameEntries(saved.path("evals"), now.path("evals"), "task", "eval");
  }

  private static Optional<String> sameEntries(JsonNode saved, JsonNode now, String key, String what) {
    for (JsonNode old : saved) {
      String id = old.path(key).asText();
      JsonNode match = find(now, key, id);
      if (match == null) return Optional.of(what + " '" + id + "' was removed");
      Optional<String> d = firstDifference(old, match, "");
      if (d.isPresent()) return Optional.of(what + " '" + id + "' changed: " + d.get());
    }
    return Optional.empty();
  }

  private static JsonNode find(JsonNode list, String key, String id) {
    for (JsonNode n : list) if (n.path(key).asText().equals(id)) return n;
    return null;
  }

  /** "finetune.lr was 2.0E-5, now 1.0E-5" for the first field that differs. */
  static Optional<String> firstDifference(JsonNode a, JsonNode b, String path) {
    if (a.equals(b)) return Optional.empty();
    if (a.isObject() && b.isObject()) {
      Set<String> fields = new java.util.TreeSet<>();
      a.fieldNames().forEachRemaining(fields::add);
      b.fieldNames().forEachRemaining(fields::add);
      for (String f : fields) {
        Optional<String> d = firstDifference(a.path(f), b.path(f), path.isEmpty() ? f : path + "." + f);
        if (d.isPresent()) return d;
      }
    }
    return Optional.of((path.isEmpty() ? "value" : path) + " was " + shown(a) + ", now " + shown(b));
  }

  private static String shown(JsonNode n) {
    return n.isMissingNode() ? "absent" : n.toString();
  }

  private static List<String> additions(JsonNode saved, JsonNode now) {
    List<String> out = new ArrayList<>();
    for (JsonNode s : now.path("seeds")) {
      boolean had = false;
      for (JsonNode t : saved.path("seeds")) had |= t.equals(s);
      if (!had) out.add("seed " + s);
    }
    for (Iterator<JsonNode> it = now.path("runs").elements(); it.hasNext(); ) {
      String name = it.next().path("name").asText();
      if (find(saved.path("runs"), "name", name) == null) out.add("run " + name);
    }
    for (Iterator<JsonNode> it = now.path("evals").elements(); it.hasNext(); ) {
      String task = it.next().path("task").asText();
      if (find(saved.path("evals"), "task", task) == null) out.add("eval " + task);
    }
    if (out.isEmpty()) out.add("defaults for new runs (window, factor or finetune) changed; no run changed");
    return out;
  }
}
