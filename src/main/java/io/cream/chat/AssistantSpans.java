package io.cream.chat;

import java.util.ArrayList;
import java.util.List;

/**
 * A conversation rendered by its chat template, with where each assistant turn lies in the text:
 * what chat fine-tuning trains on (the paper's CREAM-Chat: loss on the assistant's replies only).
 *
 * <p>Turn i's span starts where the conversation before it, rendered with the generation prompt,
 * ends (so the template's assistant header is context) and ends where the conversation through
 * it ends (so the template's end-of-turn marks, e.g. {@code </s>} or {@code <|im_end|>}, are
 * targets: the model learns to stop). This needs each rendering to be a prefix of the next (of the
 * whole conversation, or of it with one more user turn for the last reply), as chat templates are
 * written; where a template breaks that (e.g. one that always appends a generation prompt), the
 * span falls back to the turn's text as it appears in the rendering, plus the EOS token when it
 * directly follows.
 */
public final class AssistantSpans {
  private AssistantSpans() {}

  /** The rendered text and its assistant spans as character offset pairs [start, end), increasing. */
  public record Rendered(String text, int[] spans) {}

  /**
   * Renders a finished conversation (no generation prompt) and finds its assistant turns.
   *
   * @throws ChatTemplateException when the template refuses the conversation, or an assistant
   *     turn cannot be found in the rendering
   */
  public static Rendered render(HfChatTemplate template, List<ChatMessage> messages) {
    String full = template.render(messages, false);
    List<Integer> spans = new ArrayList<>();
    int cursor = 0;
    for (int i = 0; i < messages.size(); i++) {
      ChatMessage m = messages.get(i);
      if (!m.isAssistant()) continue;
      int[] span = byPrefixes(template, messages, i, full, cursor);
      if (span == null) span = byContent(template, m, full, cursor);
      if (span == null) {
        throw new ChatTemplateException("assistant turn " + (i + 1) + " does not appear in the chat template's rendering");
      }
      if (span[1] > span[0]) {
        spans.add(span[0]);
        spans.add(span[1]);
      }
      cursor = span[1];
    }
    return new Rendered(full, spans.stream().mapToInt(Integer::intValue).toArray());
  }

  private static int[] byPrefixes(HfChatTemplate t, List<ChatMessage> messages, int i, String full, int cursor) {
    if (i == 0) return null;
    String before;
    String through;
    try {
      before = t.render(messages.subList(0, i), true);
      through = t.render(messages.subList(0, i + 1), false);
    } catch (ChatTemplateException e) {
      return null; // e.g. a template that refuses a conversation ending with a user turn
    }
    if (!through.startsWith(before) || !full.startsWith(through) || before.length() < cursor) return null;
    if (i == messages.size() - 1 && !extendedBy(t, messages, through)) return null;
    return new int[] {before.length(), through.length()};
  }

  /**
   * Whether a further user turn extends the rendering (as it does for a template that writes each
   * turn in order), rather than replacing something the template appends at the end.
   */
  private static boolean extendedBy(HfChatTemplate t, List<ChatMessage> messages, String through) {
    List<ChatMessage> more = new ArrayList<>(messages);
    more.add(ChatMessage.user("?"));
    try {
      return t.render(more, false).startsWith(through);
    } catch (ChatTemplateException e) {
      return true; // the template refuses the probe, not the conversation
    }
  }

  private static int[] byContent(HfChatTemplate t, ChatMessage m, String full, int cursor) {
    for (String text : new String[] {m.content(), m.content().strip()}) {
      if (text.isEmpty()) continue;
      int at = full.indexOf(text, cursor);
      if (at < 0) continue;
      int end = at + text.length();
      String eos = t.specialTokens().get("eos_token");
      if (eos != null && !eos.isEmpty() && full.startsWith(eos, end)) end += eos.length();
      return new int[] {at, end};
    }
    return null;
  }
}
