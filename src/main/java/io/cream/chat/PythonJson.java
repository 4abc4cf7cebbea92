package io.cream.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code tojson} filter as Hugging Face defines it for chat templates: Python's
 * {@code json.dumps(x, ensure_ascii=False, indent=indent)} — ", " and ": " between items without
 * indent, "," and newlines with it, non-ASCII text kept. Jinjava's own tojson is compact JSON,
 * which would change every tool list a template prints.
 */
final class PythonJson implements Filter {

  @Override
  public String getName() {
    return "tojson";
  }

  @Override
  public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
    return dumps(var, args.length > 0 && args[0] != null ? Integer.parseInt(args[0]) : -1);
  }

  @Override
  public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
    Object indent = kwargs.getOrDefault("indent", args.length > 0 ? args[0] : null);
    return dumps(var, indent == null ? -1 : Integer.parseInt(indent.toString()));
  }

  /** json.dumps with ensure_ascii=False; indent < 0 means none. */
  static String dumps(Object value, int indent) {
    StringBuilder b = new StringBuilder();
    write(b, value, indent, 0);
    return b.toString();
  }

  private static void write(StringBuilder b, Object v, int indent, int depth) {
    if (v == null) {
      b.append("null");
    } else if (v instanceof Boolean || v instanceof Integer || v instanceof Long || v instanceof Short) {
      b.append(v);
    } else if (v instanceof Number n) {
      double d = n.doubleValue();
      b.append(d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 1e16 ? String.format(Locale.ROOT, "%.1f", d) : Double.toString(d));
    } else if (v instanceof Map<?, ?> m) {
      if (m.isEmpty()) {
        b.append("{}");
        return;
      }
      b.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        separate(b, first, indent, depth + 1);
        string(b, String.valueOf(e.getKey()));
        b.append(": ");
        write(b, e.getValue(), indent, depth + 1);
        first = false;
      }
      close(b, '}', indent, depth);
    } else if (v instanceof Iterable<?> items) {
      if (!items.iterator().hasNext()) {
        b.append("[]");
        return;
      }
      b.append('[');
      boolean first = true;
      for (Object item : items) {
        separate(b, first, indent, depth + 1);
        write(b, item, indent, depth + 1);
        first = false;
      }
      close(b, ']', indent, depth);
    } else if (v instanceof Object[] array) {
      write(b, java.util.Arrays.asList(array), indent, depth);
    } else {
      string(b, v.toString());
    }
  }

  private static void separate(StringBuilder b, boolean first, int indent, int depth) {
    if (!first) b.append(indent < 0 ? ", " : ",");
    if (indent >= 0) b.append('\n').append(" ".repeat(indent * depth));
  }

  private static void close(StringBuilder b, char bracket, int indent, int depth) {
    if (indent >= 0) b.append('\n').append(" ".repeat(indent * depth));
    b.append(bracket);
  }

  private static void string(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        case '\b' -> b.append("\\b");
        case '\f' -> b.append("\\f");
        default -> {
          if (c < 0x20) b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          else b.append(c);
        }
      }
    }
    b.append('"');
  }
}
