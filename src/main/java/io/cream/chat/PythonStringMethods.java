package io.cream.chat;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * The Python str methods chat templates call ({@code content.upper()}, {@code .startswith(...)},
 * {@code .lstrip()}, ...) but Java's String lacks or spells differently. Jinja2 runs templates on
 * Python objects, so these are part of the language as Hugging Face templates use it; Jinjava only
 * resolves Java methods. Methods Java already has with Python's meaning (strip(), replace(a, b))
 * are left to Jinjava's bean resolver, as is everything on other objects.
 */
final class PythonStringMethods extends ELResolver {

  @Override
  public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
    if (!(base instanceof String s) || method == null) return null;
    Object[] p = params == null ? new Object[0] : params;
    Object result = call(s, method.toString(), p);
    if (result == NOT_MINE) return null;
    context.setPropertyResolved(true);
    return result;
  }

  private static final Object NOT_MINE = new Object();

  private static Object call(String s, String name, Object[] p) {
    return switch (name) {
      case "upper" -> p.length == 0 ? s.toUpperCase(Locale.ROOT) : NOT_MINE;
      case "lower" -> p.length == 0 ? s.toLowerCase(Locale.ROOT) : NOT_MINE;
      case "title" -> p.length == 0 ? title(s) : NOT_MINE;
      case "capitalize" -> p.length == 0 ? capitalize(s) : NOT_MINE;
      case "startswith" -> p.length == 1 ? s.startsWith(str(p[0])) : NOT_MINE;
      case "endswith" -> p.length == 1 ? s.endsWith(str(p[0])) : NOT_MINE;
      case "strip" -> p.length == 1 ? stripRight(stripLeft(s, str(p[0])), str(p[0])) : NOT_MINE;
      case "lstrip" -> p.length <= 1 ? stripLeft(s, p.length == 0 ? null : str(p[0])) : NOT_MINE;
      case "rstrip" -> p.length <= 1 ? stripRight(s, p.length == 0 ? null : str(p[0])) : NOT_MINE;
      case "split" -> p.length <= 1 ? split(s, p.length == 0 ? null : str(p[0])) : NOT_MINE;
      case "find" -> p.length == 1 ? s.indexOf(str(p[0])) : NOT_MINE;
      case "count" -> p.length == 1 ? count(s, str(p[0])) : NOT_MINE;
      case "join" -> p.length == 1 && p[0] instanceof Iterable<?> items ? join(s, items) : NOT_MINE;
      default -> NOT_MINE;
    };
  }

  private static String str(Object o) {
    return o == null ? "None" : o.toString();
  }

  /** Python's str.title(): the first letter of every run of letters upper case, the rest lower. */
  private static String title(String s) {
    StringBuilder b = new StringBuilder(s.length());
    boolean inWord = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      b.append(inWord ? Character.toLowerCase(c) : Character.toUpperCase(c));
      inWord = Character.isLetter(c);
    }
    return b.toString();
  }

  private static String capitalize(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1).toLowerCase(Locale.ROOT);
  }

  /** Python's lstrip: whitespace when chars is null, else any of the given characters. */
  private static String stripLeft(String s, String chars) {
    int i = 0;
    while (i < s.length() && strips(s.charAt(i), chars)) i++;
    return s.substring(i);
  }

  private static String stripRight(String s, String chars) {
    int i = s.length();
    while (i > 0 && strips(s.charAt(i - 1), chars)) i--;
    return s.substring(0, i);
  }

  private static boolean strips(char c, String chars) {
    return chars == null ? Character.isWhitespace(c) : chars.indexOf(c) >= 0;
  }

  /** Python's split: on runs of whitespace (dropping empty pieces) without a separator, else exactly. */
  private static List<String> split(String s, String sep) {
    List<String> out = new ArrayList<>();
    if (sep == null) {
      for (String piece : s.strip().split("\\s+")) if (!piece.isEmpty()) out.add(piece);
      return out;
    }
    int from = 0;
    for (int at = s.indexOf(sep); at >= 0 && !sep.isEmpty(); at = s.indexOf(sep, from)) {
      out.add(s.substring(from, at));
      from = at + sep.length();
    }
    out.add(s.substring(from));
    return out;
  }

  private static int count(String s, String sub) {
    if (sub.isEmpty()) return s.length() + 1;
    int n = 0;
    for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) n++;
    return n;
  }

  private static String join(String sep, Iterable<?> items) {
    StringBuilder b = new StringBuilder();
    boolean first = true;
    for (Object o : items) {
      if (!first) b.append(sep);
      b.append(str(o));
      first = false;
    }
    return b.toString();
  }

  // Property access is not this resolver's business: leave it unresolved for the next one.
  @Override
  public Object getValue(ELContext context, Object base, Object property) {
    return null;
  }

  @Override
  public Class<?> getType(ELContext context, Object base, Object property) {
    return null;
  }

  @Override
  public void setValue(ELContext context, Object base, Object property, Object value) {}

  @Override
  public boolean isReadOnly(ELContext context, Object base, Object property) {
    return true;
  }

  @Override
  public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
    return null;
  }

  @Override
  public Class<?> getCommonPropertyType(ELContext context, Object base) {
    return null;
  }
}
