package io.cream.train;

import io.cream.util.UserError;

/**
 * Where a training run keeps its optimizer state (train --offload).
 *
 * <ul>
 *   <li>{@code auto} (default): on the device when the memory plan says it fits there, else in
 *       host memory (said in one line).
 *   <li>{@code none}: on the device, always.
 *   <li>{@code optimizer}: fp32 master weights and AdamW moments in host memory (pinned on a GPU);
 *       the device keeps the weights the passes read (bf16 under --precision bf16) and the
 *       gradients, which cross to the host after the step's backward, and AdamW runs on the CPU.
 * </ul>
 */
public enum Offload {
  AUTO("auto"),
  NONE("none"),
  OPTIMIZER("optimizer");

  private final String id;

  Offload(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }

  public static Offload parse(String text) {
    for (Offload u : values()) if (u.id.equals(text)) return u;
    throw new UserError("--offload must be auto, none or optimizer, got '" + text + "'");
  }
}
