package io.cream.eval;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.cream.util.UserError;
import java.util.Arrays;

/**
 * How perplexity is measured (docs/eval-tasks.md, "ppl").
 *
 * <ul>
 *   <li>{@code reference}: CREAM's eval_ppl.py (--truncate): only documents of at least the longest
 *       length, the same first K at every length; BOS + the first L − 1 tokens in one forward pass.
 *   <li>{@code long}: its PG19/Books3 script: BOS + the first L − 1 tokens read through a window
 *       slid by a stride; each window's mean loss over all its tokens weighted by its new tokens.
 *   <li>{@code strided}: cream's earlier scoring: per length the first K documents that reach it;
 *       windows every stride, each token scored once, in the first window that reaches it.
 * </ul>
 */
public enum PplProtocol {
  REFERENCE("reference"),
  LONG("long"),
  STRIDED("strided");

  private final String id;

  PplProtocol(String id) {
    this.id = id;
  }

  @JsonValue
  public String id() {
    return id;
  }

  /** Whether every length reads the same documents: those that reach the longest length. */
  public boolean sameDocumentsAtEveryLength() {
    return this != STRIDED;
  }

  @JsonCreator
  public static PplProtocol parse(String id) {
    return Arrays.stream(values()).filter(p -> p.id.equals(id)).findFirst().orElseThrow(() ->
        new UserError("unknown --ppl-protocol '" + id + "'; use reference, long or strided"));
  }
}
