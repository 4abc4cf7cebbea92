package io.cream.chat;

/**
 * A chat template refused a conversation (its {@code raise_exception}, e.g. roles that do not
 * alternate) or failed to render. The message is one line; callers add where the conversation
 * came from (a request, a file and line).
 */
public final class ChatTemplateException extends RuntimeException {
  public ChatTemplateException(String message) {
    super(message);
  }
}
