package io.cream.eval.report;

/**
 * A small HTML writer that keeps the page well-formed XML (every element closed, text escaped),
 * so any HTML or XML parser reads it.
 */
final class Html {
  private final StringBuilder sb = new StringBuilder();

  static String escape(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> {
          // Control characters are not allowed in XML text; model replies may contain them.
          if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') out.append('\uFFFD');
          else out.append(c);
        }
      }
    }
    return out.toString();
  }

  Html raw(String s) {
    sb.append(s);
    return this;
  }

  Html text(String s) {
    sb.append(escape(s));
    return this;
  }

  /** An element with escaped text content: {@code <tag attrs>text</tag>}. */
  Html element(String tag, String attributes, String text) {
    sb.append('<').append(tag);
    if (!attributes.isEmpty()) sb.append(' ').append(attributes);
    sb.append('>').append(escape(text)).append("</").append(tag).append(">\n");
    return this;
  }

  Html open(String tag, String attributes) {
    sb.append('<').append(tag);
    if (!attributes.isEmpty()) sb.append(' ').append(attributes);
    sb.append(">\n");
    return this;
  }

  Html close(String tag) {
    sb.append("</").append(tag).append(">\n");
    return this;
  }

  static String attr(String name, String value) {
    return name + "=\"" + escape(value) + "\"";
  }

  @Override
  public String toString() {
    return sb.toString();
  }
}
