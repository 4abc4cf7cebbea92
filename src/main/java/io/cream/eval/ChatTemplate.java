package io.cream.eval;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.cream.util.UserError;
import java.util.Arrays;

/**
 * How a task's message becomes the model's input. CREAM's reference evaluation wraps every
 * LongChat-Lines and needle prompt in FastChat's vicuna_v1.1 conversation, base models included,
 * so that is the default; {@code none} feeds the bare message.
 */
public enum ChatTemplate {
  VICUNA("vicuna"),
  NONE("none");

  /** FastChat's vicuna_v1.1 system message. */
  public static final String VICUNA_SYSTEM = "A chat between a curious user and an artificial intelligence assistant. "
      + "The assistant gives helpful, detailed, and polite answers to the user's questions.";

  private final String id;

  ChatTemplate(String id) {
    this.id = id;
  }

  @JsonValue
  public String id() {
    return id;
  }

  /**
   * The model input for one user message: vicuna_v1.1 joins system, "USER: message" and the open
   * "ASSISTANT:" turn with single spaces (FastChat's ADD_COLON_TWO style, sep " ").
   */
  public String wrap(String message) {
    return switch (this) {
      case VICUNA -> VICUNA_SYSTEM + " USER: " + message + " ASSISTANT:";
      case NONE -> message;
    };
  }

  @JsonCreator
  public static ChatTemplate parse(String id) {
    return Arrays.stream(values()).filter(t -> t.id.equals(id)).findFirst().orElseThrow(() ->
        new UserError("unknown chat template '" + id + "'; use vicuna or none"));
  }
}
