package io.cream.eval;

import io.cream.util.UserError;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Lost-in-the-middle key-value retrieval (Liu et al. 2023): random pairs (UUIDs, or short hex keys
 * with --kv-key short) rendered as a JSON object, the value of one key asked for, no chat template.
 * A cell is (number of keys, gold index); the pairs depend on (keys, sample) only, so the gold
 * positions of one sample query the same object. Correct when the gold value appears anywhere in
 * the reply, case ignored (the reference lower-cases both).
 */
public final class KvRetrievalTask implements GenerativeTask {
  /** One key-value record of the JSON object. */
  public record Pair(String key, String value) {}

  @Override
  public String name() {
    return "kv";
  }

  @Override
  public String lengthUnit() {
    return "keys";
  }

  @Override
  public PositionAxis positionAxis() {
    return PositionAxis.GOLD_INDEX;
  }

  @Override
  public int defaultMaxNewTokens() {
    return 50;
  }

  /** kv's grid is keys × gold positions: no lengths or depths to fill in. */
  @Override
  public EvalOptions withDefaults(EvalOptions o) {
    return o;
  }

  @Override
  public List<Cell> cells(EvalOptions o) {
    UserError.require(!o.keys().isEmpty(), "kv needs at least one number of keys; pass --keys, e.g. 75");
    List<Cell> cells = new ArrayList<>();
    for (int keys : o.keys()) {
      List<Integer> gold = o.goldPositions().isEmpty() ? GoldPositions.defaults(keys) : o.goldPositions();
      for (int g : gold) {
        UserError.require(g >= 0 && g < keys,
            "gold position " + g + " is outside 0.." + (keys - 1) + " for " + keys + " keys; fix --gold-positions");
        cells.add(new Cell(keys, (double) g));
      }
    }
    return cells;
  }

  /** n random UUID pairs, every key and value distinct. */
  public static List<Pair> pairs(SplittableRandom rng, int n) {
    return pairs(rng, n, KvKeyFormat.UUID);
  }

  /** n random pairs in the given format, every key and value distinct. */
  public static List<Pair> pairs(SplittableRandom rng, int n, KvKeyFormat format) {
    Set<String> seen = new HashSet<>();
    List<Pair> pairs = new ArrayList<>(n);
    while (pairs.size() < n) {
      String key = format.draw(rng);
      String value = format.draw(rng);
      if (seen.add(key) && seen.add(value)) pairs.add(new Pair(key, value));
    }
    return pairs;
  }

  /** The JSON object as section 5 renders it: `{"k": "v",\n "k": "v",\n ... "k": "v"}`. */
  public static String records(List<Pair> pairs) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < pairs.size(); i++) {
      sb.append(i == 0 ? "{" : " ");
      sb.append('"').append(pairs.get(i).key()).append("\": \"").append(pairs.get(i).value()).append('"');
      sb.append(i < pairs.size() - 1 ? ",\n" : "}");
    }
    return sb.toString();
  }

  public static String prompt(List<Pair> pairs, int gold) {
    return "Extract the value corresponding to the specified key in the JSON object below.\n\nJSON data:\n"
        + records(pairs) + "\n\nKey: \"" + pairs.get(gold).key() + "\"\nCorresponding value:";
  }

  @Override
  public TaskPrompt prompt(Cell cell, int sample, EvalModel model, EvalOptions o) {
    List<Pair> pairs = pairs(CaseRandom.of(o.seed(), name(), cell.length(), sample), cell.length(), o.kvKey());
    int gold = cell.position().intValue();
    String text = prompt(pairs, gold);
    return new TaskPrompt(text, model.encode(text), pairs.get(gold).value(), pairs.size(), pairs.get(gold).key(), gold);
  }

  @Override
  public Score score(String reply, TaskPrompt prompt) {
    return Score.of(reply.toLowerCase(Locale.ROOT).contains(prompt.expected().toLowerCase(Locale.ROOT)));
  }
}
