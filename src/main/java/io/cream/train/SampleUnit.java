package io.cream.train;

import io.cream.util.UserError;

/**
 * What CREAM, PoSE and RandPos make one sample from (train --sample-from).
 *
 * <ul>
 *   <li>{@code documents} (default, the reference's train.py): one sample per whole document per
 *       epoch — CREAM's tail is the document's last tokens however long it is.
 *   <li>{@code pieces}: documents cut into pieces of the target window f·N, one sample each (a
 *       long book gives many samples, each piece read as if it were a document).
 *   <li>{@code windows}: as many samples per document as pieces, but each an f·N-token window at
 *       a random offset drawn afresh for every sample, so that with a few long books CREAM's head
 *       and tail (a sample's first and last tokens) are not the same tokens epoch after epoch.
 * </ul>
 */
public enum SampleUnit {
  DOCUMENTS("documents"),
  PIECES("pieces"),
  WINDOWS("windows");

  private final String id;

  SampleUnit(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }

  public static SampleUnit parse(String text) {
    for (SampleUnit u : values()) if (u.id.equals(text)) return u;
    throw new UserError("--sample-from must be documents, pieces or windows, got '" + text + "'");
  }
}
