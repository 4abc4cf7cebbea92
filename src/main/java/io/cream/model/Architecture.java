package io.cream.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The decoder families this project runs. They share the Llama block (RMSNorm, RoPE attention with
 * grouped KV heads, SwiGLU MLP) and differ only in details recorded on {@link LlamaConfig}.
 */
public enum Architecture {
  LLAMA("llama", "LlamaForCausalLM"),
  MISTRAL("mistral", "MistralForCausalLM"),
  QWEN2("qwen2", "Qwen2ForCausalLM");

  private final String modelType;
  private final String className;

  Architecture(String modelType, String className) {
    this.modelType = modelType;
    this.className = className;
  }

  /** The config.json {@code model_type} value, e.g. "llama". */
  public String modelType() {
    return modelType;
  }

  /** The config.json {@code architectures[0]} value, e.g. "LlamaForCausalLM". */
  public String className() {
    return className;
  }

  /** Matches an {@code architectures[0]} class name or a {@code model_type}, case-insensitively. */
  public static Optional<Architecture> find(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return Arrays.stream(values())
        .filter(a -> a.modelType.equals(n) || a.className.toLowerCase(Locale.ROOT).equals(n))
        .findFirst();
  }

  /** "llama, mistral, qwen2": for error messages. */
  public static String supportedList() {
    return Arrays.stream(values()).map(Architecture::modelType).collect(Collectors.joining(", "));
  }
}
