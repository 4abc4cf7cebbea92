package io.cream.eval;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One sample of one cell in results.json. Fields a task does not use are left out of the JSON.
 *
 * @param length the cell's length (tokens; keys for kv)
 * @param position the cell's position (depth percent, gold index) or null
 * @param sample sample index within the cell (ppl: index of the document among those used)
 * @param promptTokens tokens the model read (ppl: tokens scored as one sequence, = length)
 * @param items filler units in the prompt: sentences (passkey, needle), keys (kv), lines (lines)
 * @param query what was asked (kv key, line name) or null
 * @param queryIndex index of the asked item among items, or null
 * @param document ppl: the document's file name
 * @param expected the answer looked for
 * @param reply the model's decoded reply
 * @param correct the score (null for ppl; needle: the reply contains the key phrase)
 * @param partial needle: fraction of the key words in the reply; passkey: share of the key's
 *     digits that the reply's first integer begins with
 * @param rougeL needle: ROUGE-L F1 of the reply's first line against the needle (its score)
 * @param generatedTokens new tokens generated
 * @param nll ppl: summed negative log-likelihood (nats) over the scored tokens
 * @param scoredTokens ppl: tokens predicted (length − 1)
 * @param seconds model time of this sample: generation (or scoring, for ppl), not prompt building
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CaseRecord(
    int length,
    Double position,
    int sample,
    int promptTokens,
    Integer items,
    String query,
    Integer queryIndex,
    String document,
    String expected,
    String reply,
    Boolean correct,
    Double partial,
    Double rougeL,
    Integer generatedTokens,
    Double nll,
    Integer scoredTokens,
    double seconds) {

  static CaseRecord generated(Cell cell, int sample, TaskPrompt p, String reply, Score score, int generated, double seconds) {
    return new CaseRecord(cell.length(), cell.position(), sample, p.ids().length, p.items(), p.query(), p.queryIndex(),
        null, p.expected(), reply, score.correct(), score.partial(), score.rougeL(), generated, null, null, seconds);
  }

  static CaseRecord perplexity(Cell cell, int sample, String document, double nll, int scored, double seconds) {
    return new CaseRecord(cell.length(), null, sample, cell.length(), null, null, null,
        document, null, null, null, null, null, null, nll, scored, seconds);
  }
}
