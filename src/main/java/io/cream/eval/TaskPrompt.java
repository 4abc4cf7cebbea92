package io.cream.eval;

/**
 * A built prompt and what a correct reply holds.
 *
 * @param text the prompt text
 * @param ids its tokens (model.encode(text))
 * @param expected the answer the scorer looks for
 * @param items how many filler units the prompt holds (sentences, keys or lines)
 * @param query what was asked, when it is not implied by the task (kv key, line name), else null
 * @param queryIndex index of the asked item among {@code items}, or null
 */
public record TaskPrompt(String text, int[] ids, String expected, int items, String query, Integer queryIndex) {}
