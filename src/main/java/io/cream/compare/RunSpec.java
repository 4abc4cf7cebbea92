package io.cream.compare;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.positions.PositionMethod;
import io.cream.rope.RopeType;
import io.cream.util.Json;
import java.util.List;

/**
 * One row of the comparison, resolved: how the base model is extended.
 *
 * @param name unique; names the run's folder (letters, digits, '.', '_', '-')
 * @param method cream, pose, randpos, contiguous, or none (no fine-tuning: the base evaluated with
 *     {@code rope} applied at evaluation time)
 * @param rope the RoPE scaling trained with (or applied, for none); "none" = unscaled
 * @param factor the RoPE and position factor f
 * @param window the fine-tuning window N (for none: the pre-trained window the scaling assumes)
 * @param finetune the fine-tuning settings, or null for method none
 */
public record RunSpec(String name, String method, String rope, int factor, int window, Finetune finetune) {
  public static final String NONE = "none";
  static final List<String> METHODS = List.of("cream", "pose", "randpos", "contiguous", NONE);
  /** The RoPE types a run may name: those `cream train` trains with. */
  static final List<String> ROPES = List.of("none", "linear", "ntk", "yarn", "yarn-revised", "dynamic", "llama3");

  public boolean finetunes() {
    return !method.equals(NONE);
  }

  /** The position method of a fine-tuning run. */
  public PositionMethod positionMethod() {
    return PositionMethod.parse(method);
  }

  /** The RoPE type ("none" is the unscaled default). */
  public RopeType ropeType() {
    return rope.equals("none") ? RopeType.DEFAULT : RopeType.fromId(rope, "rope");
  }

  /** Whether this is the base model as it is: no fine-tuning, no scaling. */
  public boolean isBaseAsIs() {
    return !finetunes() && rope.equals("none");
  }

  /** What the RoPE override is called in results files (as `cream eval --rope` writes it), or null. */
  public String ropeOverrideLabel() {
    return finetunes() || isBaseAsIs() ? null : rope + "×" + (double) factor;
  }

  ObjectNode toJson() {
    ObjectNode n = Json.object();
    n.put("name", name);
    n.put("method", method);
    n.put("rope", rope);
    n.put("factor", factor);
    n.put("window", window);
    if (finetune != null) n.set("finetune", finetune.toJson());
    return n;
  }
}
