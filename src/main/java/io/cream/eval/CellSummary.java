package io.cream.eval;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The aggregate of one cell in results.json.
 *
 * @param length the cell's length (tokens; keys for kv)
 * @param position depth percent, gold index, or null
 * @param n samples scored (ppl: documents; 0 when no document was long enough)
 * @param accuracy fraction correct (generative tasks)
 * @param partial mean partial credit (needle: key words; passkey: leading digits of the key)
 * @param rougeL mean ROUGE-L F1 (needle: its headline score)
 * @param perplexity exp(Σ nll / Σ scored tokens) over the cell's documents (ppl)
 * @param meanPromptTokens mean prompt length in tokens
 * @param seconds wall time of the cell, prompt building included
 * @param tokensPerSecond tokens read and generated (ppl: scored) per second of model time (the
 *     samples' seconds)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CellSummary(
    int length,
    Double position,
    int n,
    Double accuracy,
    Double partial,
    Double rougeL,
    Double perplexity,
    double meanPromptTokens,
    double seconds,
    double tokensPerSecond) {

  /** The number charts and tables show for a generative cell: ROUGE-L where scored, else accuracy. */
  @JsonIgnore
  public Double headline() {
    return rougeL != null ? rougeL : accuracy;
  }

  /** Aggregates the samples of one cell. */
  static CellSummary of(Cell cell, List<CaseRecord> records, double seconds) {
    int n = records.size();
    double promptTokens = records.stream().mapToDouble(CaseRecord::promptTokens).sum();
    boolean ppl = !records.isEmpty() && records.getFirst().nll() != null;
    Double accuracy = null;
    Double partial = null;
    Double rougeL = null;
    Double perplexity = null;
    double work;
    if (ppl) {
      double nll = records.stream().mapToDouble(CaseRecord::nll).sum();
      long scored = records.stream().mapToLong(CaseRecord::scoredTokens).sum();
      perplexity = Math.exp(nll / scored);
      work = scored;
    } else {
      if (n > 0) accuracy = records.stream().filter(r -> Boolean.TRUE.equals(r.correct())).count() / (double) n;
      if (n > 0 && records.getFirst().partial() != null) {
        partial = records.stream().mapToDouble(CaseRecord::partial).average().orElseThrow();
      }
      if (n > 0 && records.getFirst().rougeL() != null) {
        rougeL = records.stream().mapToDouble(CaseRecord::rougeL).average().orElseThrow();
      }
      work = promptTokens + records.stream().mapToDouble(r -> r.generatedTokens() == null ? 0 : r.generatedTokens()).sum();
    }
    double modelSeconds = records.stream().mapToDouble(CaseRecord::seconds).sum();
    return new CellSummary(cell.length(), cell.position(), n, accuracy, partial, rougeL, perplexity,
        n == 0 ? 0 : promptTokens / n, seconds, modelSeconds > 0 ? work / modelSeconds : 0);
  }
}
