package io.cream.chat;

import com.hubspot.jinjava.objects.date.StrftimeFormatter;
import java.time.ZonedDateTime;

/** The global functions Hugging Face gives chat templates: raise_exception and strftime_now. */
public final class TemplateFunctions {
  private TemplateFunctions() {}

  /** Thrown through Jinjava by {@code raise_exception(message)}; becomes a ChatTemplateException. */
  static final class Raised extends RuntimeException {
    Raised(String message) {
      super(message);
    }
  }

  public static Object raiseException(String message) {
    throw new Raised(message);
  }

  /** The local time now in a strftime format (templates put today's date in a system prompt). */
  public static String strftimeNow(String format) {
    return StrftimeFormatter.format(ZonedDateTime.now(), format);
  }
}
