package io.cream.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.io.TextTokenizer;
import io.cream.util.Json;
import io.cream.util.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A smaller BPE vocabulary cut from a byte-fallback BPE tokenizer.json (Mistral's, 32K pieces):
 * the special and byte tokens, then the pieces the training text uses most, and only the merges
 * whose two parts and result all survive. The result is an ordinary tokenizer.json that any
 * Hugging Face tokenizer loads; text needing a dropped piece is spelled with smaller pieces or
 * bytes. Why: in a model of a few million parameters the output layer over 32K pieces is most of
 * the compute, so a 4K vocabulary trains several times more tokens in the same minutes.
 */
public final class SmallVocabulary {
  private SmallVocabulary() {}

  /**
   * Writes {@code outDir/tokenizer.json} (and a copy of tokenizer_config.json when the source has
   * one) with at most {@code size} pieces chosen by their frequency in {@code texts}.
   */
  public static Path write(Path sourceJson, Iterable<String> texts, int size, Path outDir) throws IOException {
    JsonNode source = Json.read(sourceJson);
    JsonNode model = source.path("model");
    UserError.require(model.path("type").asText().equals("BPE") && model.path("byte_fallback").asBoolean(),
        sourceJson + " is not a byte-fallback BPE tokenizer; the small vocabulary needs one (e.g. Mistral's)");
    Map<String, Integer> vocab = new HashMap<>();
    model.path("vocab").properties().forEach(e -> vocab.put(e.getKey(), e.getValue().asInt()));
    String[] pieceOf = new String[vocab.size()];
    vocab.forEach((piece, id) -> pieceOf[id] = piece);

    long[] counts = new long[pieceOf.length];
    try (TextTokenizer tok = TextTokenizer.load(sourceJson)) {
      for (String text : texts) for (int id : tok.encodePlain(text)) counts[id]++;
    }
    // Specials and the 256 byte pieces always stay: with them every text can still be encoded.
    Set<String> kept = new HashSet<>();
    for (int id = 0; id < pieceOf.length; id++) {
      if (isByteOrSpecial(pieceOf[id], source)) kept.add(pieceOf[id]);
    }
    // A piece is only reachable through the merges that build it, so each piece comes with the
    // parts of its first (highest-priority) merge, recursively, or not at all.
    Map<String, String[]> madeBy = new HashMap<>();
    for (JsonNode m : model.path("merges")) {
      String[] pair = pair(m);
      madeBy.putIfAbsent(pair[0] + pair[1], pair);
    }
    List<Integer> byCount = new ArrayList<>();
    for (int id = 0; id < pieceOf.length; id++) if (counts[id] > 0 && !kept.contains(pieceOf[id])) byCount.add(id);
    byCount.sort((a, b) -> counts[b] != counts[a] ? Long.compare(counts[b], counts[a]) : Integer.compare(a, b));
    for (int id : byCount) {
      Set<String> needed = new java.util.LinkedHashSet<>();
      withParts(pieceOf[id], madeBy, kept, needed);
      if (kept.size() + needed.size() <= size) kept.addAll(needed);
      if (kept.size() >= size) break;
    }

    ObjectNode out = source.deepCopy();
    ObjectNode newModel = (ObjectNode) out.path("model");
    ObjectNode newVocab = Json.object();
    Map<String, Integer> newIds = new HashMap<>();
    for (int id = 0; id < pieceOf.length; id++) {
      if (kept.contains(pieceOf[id])) {
        newIds.put(pieceOf[id], newIds.size());
        newVocab.put(pieceOf[id], newIds.get(pieceOf[id]));
      }
    }
    ArrayNode newMerges = Json.MAPPER.createArrayNode();
    for (JsonNode m : model.path("merges")) {
      String[] pair = pair(m);
      if (kept.contains(pair[0]) && kept.contains(pair[1]) && kept.contains(pair[0] + pair[1])) newMerges.add(m);
    }
    newModel.set("vocab", newVocab);
    newModel.set("merges", newMerges);
    for (JsonNode added : out.path("added_tokens")) {
      Integer id = newIds.get(added.path("content").asText());
      UserError.require(id != null && id == added.path("id").asInt(),
          "special token " + added.path("content") + " would move; the small vocabulary keeps specials first");
    }
    Files.createDirectories(outDir);
    Path file = outDir.resolve(TextTokenizer.TOKENIZER_FILE);
    Json.writeAtomically(file, out);
    Path config = sourceJson.resolveSibling(TextTokenizer.CONFIG_FILE);
    if (Files.isRegularFile(config)) Files.copy(config, outDir.resolve(TextTokenizer.CONFIG_FILE),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    return file;
  }

  /** Adds to {@code needed} the piece and every part it is merged from that is not kept yet. */
  private static void withParts(String piece, Map<String, String[]> madeBy, Set<String> kept, Set<String> needed) {
    if (kept.contains(piece) || needed.contains(piece)) return;
    String[] parts = madeBy.get(piece);
    if (parts != null) {
      withParts(parts[0], madeBy, kept, needed);
      withParts(parts[1], madeBy, kept, needed);
    }
    needed.add(piece);
  }

  /** A merge as its two parts: stored as ["a", "b"] or as "a b". */
  private static String[] pair(JsonNode m) {
    return m.isArray() ? new String[] {m.get(0).asText(), m.get(1).asText()} : m.asText().split(" ", 2);
  }

  private static boolean isByteOrSpecial(String piece, JsonNode source) {
    if (piece.length() == 6 && piece.startsWith("<0x") && piece.endsWith(">")) return true;
    for (JsonNode added : source.path("added_tokens")) {
      if (added.path("content").asText().equals(piece)) return true;
    }
    return false;
  }
}
