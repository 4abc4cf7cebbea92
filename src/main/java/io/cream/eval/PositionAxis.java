package io.cream.eval;

import com.fasterxml.jackson.annotation.JsonValue;

/** What a cell's position means in a task's results. */
public enum PositionAxis {
  NONE("none", "position"),
  DEPTH_PERCENT("depth_percent", "depth"),
  GOLD_INDEX("gold_index", "gold");

  private final String id;
  private final String label;

  PositionAxis(String id, String label) {
    this.id = id;
    this.label = label;
  }

  /** The name written in results.json. */
  @JsonValue
  public String id() {
    return id;
  }

  /** A short word for progress lines and chart axes. */
  public String label() {
    return label;
  }
}
