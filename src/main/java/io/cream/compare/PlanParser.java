package io.cream.compare;

import com.fasterxml.jackson.databind.JsonNode;
import io.cream.eval.ChatTemplate;
import io.cream.eval.EvalOptions;
import io.cream.eval.KvKeyFormat;
import io.cream.eval.PplProtocol;
import io.cream.eval.EvalTasks;
import io.cream.io.HfCheckpoint;
import io.cream.model.LlamaConfig;
import io.cream.positions.BranchMode;
import io.cream.positions.PositionSampler;
import io.cream.rope.RopeSpec;
import io.cream.util.Json;
import io.cream.util.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** PLAN.json → {@link ComparePlan}, every mistake collected as one line naming its field. */
final class PlanParser {
  private static final Set<String> TOP = Set.of("description", "base", "data", "window", "factor", "seeds",
      "finetune", "runs", "evals");
  private static final Set<String> RUN = Set.of("name", "method", "rope", "factor", "window");
  /** RoPE types whose frequencies do not depend on the pre-trained window (see fineTuneWindow). */
  private static final Set<String> WINDOW_FREE_ROPES = Set.of("none", "linear", "ntk");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]*");

  private final Path file;
  private final List<String> problems = new ArrayList<>();

  private PlanParser(Path file) {
    this.file = file;
  }

  static ComparePlan parse(Path file) {
    return new PlanParser(file.toAbsolutePath().normalize()).parse();
  }

  private ComparePlan parse() {
    JsonNode root = Json.read(file);
    if (!root.isObject()) throw fail(List.of("the plan must be a JSON object ({\"base\": ..., \"runs\": [...], ...})"));
    JsonFields top = new JsonFields(root, "", problems, file.getParent());
    top.rejectUnknown(TOP, "");
    Path base = top.existingPath("base", true, "the base model's Hugging Face checkpoint folder");
    LlamaConfig baseConfig = baseConfig(base);
    int window = orElse(top.integer("window", null, 3), 256);
    int factor = top.integer("factor", 8, 1);
    List<Long> seeds = top.wholeNumbers("seeds", List.of(0L), 0);
    if (new HashSet<>(seeds).size() != seeds.size()) top.problem("seeds", "a seed is listed twice: " + seeds);
    Finetune finetune = Finetune.DEFAULTS;
    if (top.has("finetune")) {
      JsonNode ft = root.get("finetune");
      if (!ft.isObject()) top.problem("finetune", "expected an object of fine-tuning settings, got " + ft);
      else {
        JsonFields f = new JsonFields(ft, "finetune", problems, file.getParent());
        f.rejectUnknown(Finetune.FIELDS, "");
        finetune = Finetune.read(f, Finetune.DEFAULTS);
      }
    }
    List<RunSpec> runs = runs(root, top, window, factor, finetune, baseConfig);
    boolean anyFinetune = runs.stream().anyMatch(RunSpec::finetunes);
    Path data = top.existingPath("data", anyFinetune, "the fine-tuning data folder (as 'cream train --data')");
    List<EvalSpec> evals = evals(root, top);
    if (!problems.isEmpty()) throw fail(problems);
    return new ComparePlan(base, anyFinetune ? data : null, window, factor, seeds, finetune, runs, evals);
  }

  private PlanException fail(List<String> lines) {
    String name = file.getFileName().toString();
    return new PlanException(lines.stream().map(l -> name + ": " + l).toList());
  }

  private LlamaConfig baseConfig(Path base) {
    if (base == null) return null;
    Path config = base.resolve(HfCheckpoint.CONFIG_FILE);
    if (!Files.isRegularFile(config)) {
      problems.add("base: " + base + " has no config.json (point it to a Hugging Face checkpoint folder)");
      return null;
    }
    try {
      return LlamaConfig.read(config);
    } catch (UserError e) {
      problems.add("base: " + e.getMessage());
      return null;
    }
  }

  private List<RunSpec> runs(JsonNode root, JsonFields top, int window, int factor, Finetune shared, LlamaConfig base) {
    List<RunSpec> runs = new ArrayList<>();
    JsonNode list = root.get("runs");
    if (list == null || !list.isArray() || list.isEmpty()) {
      top.problem("runs", "required: a non-empty list of runs ({\"name\": ..., \"method\": ..., \"rope\": ...})");
      return runs;
    }
    Set<String> known = new HashSet<>(RUN);
    known.addAll(Finetune.FIELDS);
    Set<String> names = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String where = "runs[" + i + "]";
      JsonNode node = list.get(i);
      if (!node.isObject()) {
        problems.add(where + ": expected an object, got " + node);
        continue;
      }
      JsonFields f = new JsonFields(node, where, problems, file.getParent());
      f.rejectUnknown(known, "");
      String name = f.text("name", null, List.of());
      if (name != null && !NAME.matcher(name).matches()) {
        f.problem("name", "'" + name + "' must be letters, digits, '.', '_' or '-' (it names the run's folder)");
      } else if (name != null && !names.add(name)) {
        f.problem("name", "'" + name + "' names two runs; run names must be unique");
      }
      String method = f.text("method", null, RunSpec.METHODS);
      String rope = f.text("rope", null, RunSpec.ROPES);
      int runFactor = f.integer("factor", factor, 1);
      int runWindow = f.integer("window", window, 3);
      if (name == null || method == null || rope == null) continue;
      Finetune ft = null;
      if (method.equals(RunSpec.NONE)) {
        for (String field : Finetune.FIELDS) {
          if (f.has(field)) f.problem(field, "method none does not fine-tune; remove this field");
        }
      } else {
        ft = Finetune.read(f, shared);
        checkFinetune(f, where, ft, method, runWindow, runFactor, rope, window);
      }
      checkRope(f, rope, runFactor, runWindow, base);
      runs.add(new RunSpec(name, method, rope, runFactor, runWindow, ft));
    }
    return runs;
  }

  private void checkFinetune(JsonFields f, String where, Finetune ft, String method, int runWindow, int runFactor,
      String rope, int planWindow) {
    if (ft.steps() == 0) {
      f.problem("steps", "required: set finetune.steps (for every run) or steps in this run");
    } else if (ft.warmup() > ft.steps()) {
      f.problem("warmup", "warm-up of " + ft.warmup() + " steps exceeds the run's " + ft.steps() + " steps"
          + (f.has("warmup") ? "" : " (set warmup in finetune or in this run; train's default is "
          + Finetune.DEFAULTS.warmup() + ")"));
    }
    // A window other than the plan's (e.g. full-length fine-tuning at f·N) is also the pre-trained
    // window the trainer's RoPE scaling assumes; only scalings that do not depend on it are right.
    if (runWindow != planWindow && !WINDOW_FREE_ROPES.contains(rope)) {
      f.problem("window", "a fine-tuning window other than the plan's (" + runWindow + " vs " + planWindow
          + ") needs rope none, linear or ntk: the trainer would take " + runWindow + " as the pre-trained"
          + " window of " + rope + "'s scaling");
    }
    try {
      PositionSampler.create(io.cream.positions.PositionMethod.parse(method), runWindow, runFactor, ft.sigma());
    } catch (UserError e) {
      problems.add(where + ": " + e.getMessage().replace("--", ""));
    }
  }

  private void checkRope(JsonFields f, String rope, int factor, int window, LlamaConfig base) {
    if (base == null || rope.equals("none")) return;
    try {
      RopeSpec.of(io.cream.rope.RopeType.fromId(rope, "rope"), base.headDim(), base.ropeTheta(), factor, window).build();
    } catch (RuntimeException e) {
      f.problem("rope", rope + " × " + factor + " over window " + window + " cannot be built: " + e.getMessage());
    }
  }

  private List<EvalSpec> evals(JsonNode root, JsonFields top) {
    List<EvalSpec> evals = new ArrayList<>();
    JsonNode list = root.get("evals");
    if (list == null || !list.isArray() || list.isEmpty()) {
      top.problem("evals", "required: a non-empty list of evaluations ({\"task\": \"passkey\", \"lengths\": [...], ...})");
      return evals;
    }
    Set<String> tasks = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String where = "evals[" + i + "]";
      JsonNode node = list.get(i);
      if (!node.isObject()) {
        problems.add(where + ": expected an object, got " + node);
        continue;
      }
      JsonFields f = new JsonFields(node, where, problems, file.getParent());
      String task = f.text("task", null, EvalTasks.NAMES);
      if (task == null) continue;
      if (!tasks.add(task)) {
        f.problem("task", task + " is listed twice; each task is evaluated once per model (put all its lengths in one entry)");
        continue;
      }
      Set<String> known = new HashSet<>(EvalSpec.FIELDS.get(task));
      known.add("task");
      f.rejectUnknown(known, " for " + task);
      EvalSpec spec = eval(f, where, task);
      if (spec != null) evals.add(spec);
    }
    return evals;
  }

  private EvalSpec eval(JsonFields f, String where, String task) {
    int before = problems.size();
    EvalOptions d = EvalOptions.defaults();
    EvalOptions o = d.withLengths(f.integers("lengths", d.lengths(), 2))
        .withDepths(f.numbers("depths", d.depths(), 0, 100))
        .withKeys(f.integers("keys", d.keys(), 1))
        .withGoldPositions(f.integers("gold", List.of(0), 0))
        .withSamples(f.integer("samples", d.samples(), 1))
        .withMaxNewTokens(f.integer("max_new_tokens", 0, 0))
        .withSeed(f.wholeNumber("seed", EvalSpec.DEFAULT_SEED, Long.MIN_VALUE, Long.MAX_VALUE))
        .withHaystackDir(f.existingPath("haystack", false, ""))
        .withDataDir(f.existingPath("data", task.equals("ppl"), "ppl's folder of .txt documents"))
        .withPplWindow(f.integer("ppl_window", 0, 0), f.integer("ppl_stride", 0, 0))
        .withKvKey(KvKeyFormat.parse(
            f.text("kv_key", d.kvKey().id(), ids(KvKeyFormat.values(), KvKeyFormat::id))))
        .withChatTemplate(ChatTemplate.parse(
            f.text("chat_template", d.chatTemplate().id(), ids(ChatTemplate.values(), ChatTemplate::id))))
        .withPplProtocol(PplProtocol.parse(
            f.text("ppl_protocol", d.pplProtocol().id(), ids(PplProtocol.values(), PplProtocol::id))));
    if (!f.has("gold")) o = o.withGoldPositions(List.of());
    int maxContext = f.integer("max_context", Integer.MAX_VALUE, 1);
    if (problems.size() > before) return null;
    try {
      o.validate();
      EvalTasks.create(task).cells(o);
    } catch (UserError e) {
      problems.add(where + ": " + e.getMessage().replace("--gold", "gold").replace("--", ""));
      return null;
    }
    return new EvalSpec(task, o, maxContext);
  }

  private static int orElse(Integer v, int dflt) {
    return v == null ? dflt : v;
  }

  /** The command-line names of an option's values. */
  private static <T> List<String> ids(T[] values, java.util.function.Function<T, String> id) {
    return java.util.Arrays.stream(values).map(id).toList();
  }
}
