package io.cream.positions;

/**
 * One sample as a compact JSON object, fields in a fixed order: method (lower case), branch, head,
 * tail, ratio_r, middle_start, middle_end, then positions when asked for; null where a field does
 * not apply. Written by hand rather than through Jackson because `cream positions` prints tens of
 * thousands of these and the format is flat ints.
 */
public final class PositionSampleJson {
  private PositionSampleJson() {}

  /** Appends the object (no newline) to out. */
  public static void append(StringBuilder out, PositionSample s, boolean withPositions) {
    out.append("{\"method\":\"").append(s.method().cliName()).append('"');
    field(out, "branch", s.branch());
    field(out, "head", s.head());
    field(out, "tail", s.tail());
    field(out, "ratio_r", s.ratioR());
    field(out, "middle_start", s.middleStart());
    field(out, "middle_end", s.middleEnd());
    if (withPositions) {
      out.append(",\"positions\":[");
      int[] ids = s.positions();
      for (int i = 0; i < ids.length; i++) {
        if (i > 0) out.append(',');
        out.append(ids[i]);
      }
      out.append(']');
    }
    out.append('}');
  }

  /** The object as a string. */
  public static String toJson(PositionSample s, boolean withPositions) {
    StringBuilder out = new StringBuilder(64);
    append(out, s, withPositions);
    return out.toString();
  }

  private static void field(StringBuilder out, String name, Integer value) {
    out.append(",\"").append(name).append("\":");
    if (value == null) out.append("null");
    else out.append(value.intValue());
  }
}
