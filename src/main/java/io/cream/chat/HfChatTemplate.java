package io.cream.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import jinjava.javax.el.CompositeELResolver;

/**
 * A model's chat template (the Jinja2 {@code chat_template} of its tokenizer_config.json) rendered
 * as Hugging Face's {@code apply_chat_template(..., tokenize=False)} does: Jinja with
 * {@code trim_blocks} and {@code lstrip_blocks}, the variables {@code messages},
 * {@code add_generation_prompt} and the special tokens ({@code bos_token}, {@code eos_token}, ...),
 * and the globals {@code raise_exception} and {@code strftime_now}. The engine is Jinjava, given
 * Python's str methods and Python's {@code tojson}, which templates assume. Thread-safe.
 */
public final class HfChatTemplate {
  private final String source;
  private final Map<String, String> specialTokens;
  private final Jinjava jinja;

  /**
   * @param source the template text
   * @param specialTokens e.g. {"bos_token": "<s>", "eos_token": "</s>"}: variables the template
   *     may print (a missing one renders empty, as an undefined variable does in Jinja)
   */
  public HfChatTemplate(String source, Map<String, String> specialTokens) {
    this.source = source;
    this.specialTokens = Map.copyOf(specialTokens);
    this.jinja = engine();
  }

  private static Jinjava engine() {
    CompositeELResolver resolver = new CompositeELResolver();
    resolver.add(new PythonStringMethods());
    resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
    // Jinjava keeps some pre-Jinja2 behaviours by default; these switch to Jinja2's: "{{-" and
    // "-}}" trim around expressions, iterating a dict gives its keys, a list keeps its None items,
    // lists print as Python. Not its "natural operator precedence": that reads the templates'
    // everyday "not tools is defined" as "(not tools) is defined".
    LegacyOverrides jinja2 = LegacyOverrides.newBuilder()
        .withUseTrimmingForNotesAndExpressions(true)
        .withParseWhitespaceControlStrictly(true)
        .withIterateOverMapKeys(true)
        .withEvaluateMapKeys(true)
        .withKeepNullableLoopValues(true)
        .withUsePyishObjectMapper(true)
        .build();
    JinjavaConfig config = JinjavaConfig.newBuilder()
        .withLegacyOverrides(jinja2)
        .withTrimBlocks(true)
        .withLstripBlocks(true)
        .withElResolver(resolver)
        .build();
    Jinjava j = new Jinjava(config);
    try {
      j.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception",
          TemplateFunctions.class.getMethod("raiseException", String.class)));
      j.getGlobalContext().registerFunction(new ELFunctionDefinition("", "strftime_now",
          TemplateFunctions.class.getMethod("strftimeNow", String.class)));
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException(e);
    }
    j.getGlobalContext().registerFilter(new PythonJson());
    j.getGlobalContext().registerTag(new GenerationTag());
    return j;
  }

  public String source() {
    return source;
  }

  /** A short hash of the template and its special tokens: what a cache of renderings depends on. */
  public String fingerprint() {
    StringBuilder s = new StringBuilder(source);
    new TreeMap<>(specialTokens).forEach((k, v) -> s.append('\0').append(k).append('=').append(v));
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(s.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The special tokens the template is given ("bos_token" → "<s>", ...). */
  public Map<String, String> specialTokens() {
    return specialTokens;
  }

  /**
   * The conversation as the model's input text. With addGenerationPrompt the text ends where the
   * assistant's next reply starts (the template's assistant header, if it has one).
   *
   * @throws ChatTemplateException when the template raises (e.g. roles that do not alternate) or
   *     fails to render
   */
  public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
    return render(messages, addGenerationPrompt, Map.of());
  }

  /**
   * As above, with more variables for the template (e.g. {@code tools}: lists and maps of
   * strings, numbers and booleans, as parsed JSON).
   */
  public String render(List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, Object> extra) {
    Map<String, Object> vars = new HashMap<>(specialTokens);
    vars.putAll(extra);
    vars.put("messages", messages.stream().map(ChatMessage::asTemplateValue).toList());
    vars.put("add_generation_prompt", addGenerationPrompt);
    RenderResult r = jinja.renderForResult(source, vars);
    for (TemplateError e : r.getErrors()) {
      if (e.getSeverity() != TemplateError.ErrorType.FATAL) continue;
      Throwable cause = e.getException();
      while (cause != null && !(cause instanceof TemplateFunctions.Raised)) cause = cause.getCause();
      if (cause != null) throw new ChatTemplateException("the chat template refused the conversation: " + cause.getMessage());
      throw new ChatTemplateException("the chat template failed at line " + e.getLineno() + ": " + e.getMessage());
    }
    return r.getOutput();
  }
}
