package io.cream.io;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import io.cream.util.Json;
import io.cream.util.UserError;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A Hugging Face {@code tokenizer.json} tokenizer (through DJL's bundled Rust library, offline),
 * with BOS/EOS added by us as {@link TokenizerSettings} decides, never by DJL; no truncation, no
 * padding. Text that literally contains a special token's string (e.g. {@code "<|eot_id|>"}) is
 * encoded as that special token, as Hugging Face does by default. Thread-safe; close when done.
 */
public final class TextTokenizer implements AutoCloseable {
  public static final String TOKENIZER_FILE = "tokenizer.json";
  public static final String CONFIG_FILE = "tokenizer_config.json";

  private final HuggingFaceTokenizer hf;
  private final TokenizerSettings settings;
  private final Path sourceFile;

  private TextTokenizer(HuggingFaceTokenizer hf, TokenizerSettings settings, Path sourceFile) {
    this.hf = hf;
    this.settings = settings;
    this.sourceFile = sourceFile;
  }

  /**
   * Loads {@code tokenizer.json} (the file itself, or a folder holding it) and, when present beside
   * it, {@code tokenizer_config.json}.
   */
  public static TextTokenizer load(Path tokenizerJsonOrDir) {
    Path file = Files.isDirectory(tokenizerJsonOrDir) ? tokenizerJsonOrDir.resolve(TOKENIZER_FILE) : tokenizerJsonOrDir;
    if (!Files.isRegularFile(file)) {
      throw new UserError("tokenizer not found: " + file + " (give a tokenizer.json file or a folder holding one)");
    }
    Path configFile = file.toAbsolutePath().resolveSibling(CONFIG_FILE);
    JsonNode config = Files.isRegularFile(configFile) ? Json.read(configFile) : null;
    TokenizerSettings settings = TokenizerSettings.read(file, config);

    DjlSetup.ensureQuietAndOffline();
    HuggingFaceTokenizer hf;
    try {
      hf = HuggingFaceTokenizer.builder()
          .optTokenizerPath(file)
          .optAddSpecialTokens(false)
          .optTruncation(false)
          .optPadding(false)
          .build();
    } catch (Exception e) {
      throw new UserError("cannot load tokenizer " + file + ": " + e.getMessage()
          + " (is it a Hugging Face tokenizer.json? DJL unpacks its native library under ~/.djl.ai,"
          + " or $DJL_CACHE_DIR when set: that folder must be writable)", e);
    }
    if (!hf.getTruncation().equals("DO_NOT_TRUNCATE") || !hf.getPadding().equals("DO_NOT_PAD")) {
      hf.close();
      throw new IllegalStateException("DJL tokenizer kept truncation " + hf.getTruncation()
          + " / padding " + hf.getPadding() + "; both must be off");
    }
    return new TextTokenizer(hf, settings, file);
  }

  /** Token ids as the model expects them: BOS first (and EOS last) iff the tokenizer adds them. */
  public int[] encode(String text) {
    long[] plain = hf.encode(text, false, false).getIds();
    int head = settings.addsBos() ? 1 : 0;
    int tail = settings.addsEos() ? 1 : 0;
    int[] out = new int[head + plain.length + tail];
    if (head == 1) out[0] = settings.bosId();
    for (int i = 0; i < plain.length; i++) out[head + i] = Math.toIntExact(plain[i]);
    if (tail == 1) out[out.length - 1] = settings.eosId();
    return out;
  }

  /** Token ids of the text alone: no BOS, no EOS. */
  public int[] encodePlain(String text) {
    long[] plain = hf.encode(text, false, false).getIds();
    int[] out = new int[plain.length];
    for (int i = 0; i < plain.length; i++) out[i] = Math.toIntExact(plain[i]);
    return out;
  }

  /** Text of the ids, special tokens included. */
  public String decode(int[] ids) {
    return decode(ids, false);
  }

  /**
   * Text of the ids. SentencePiece-style decoders (Mistral, Llama-2) drop the one leading space
   * their encoder added, so text starting with a space does not round-trip there; byte-level ones
   * (Llama-3) give back exactly the encoded text.
   */
  public String decode(int[] ids, boolean skipSpecialTokens) {
    long[] longs = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] < 0 || ids[i] >= settings.vocabSize()) {
        throw new IllegalArgumentException("token id " + ids[i] + " at position " + i
            + " is outside the vocabulary [0, " + settings.vocabSize() + ")");
      }
      longs[i] = ids[i];
    }
    return hf.decode(longs, skipSpecialTokens);
  }

  /** The BOS id, or -1 when the tokenizer has none. */
  public int bosId() {
    return settings.bosId();
  }

  /** The EOS id, or -1 when the tokenizer has none. */
  public int eosId() {
    return settings.eosId();
  }

  /** Number of ids (largest id + 1, added tokens included). */
  public int vocabSize() {
    return settings.vocabSize();
  }

  public boolean addsBos() {
    return settings.addsBos();
  }

  public boolean addsEos() {
    return settings.addsEos();
  }

  public TokenizerSettings settings() {
    return settings;
  }

  /** The tokenizer.json this was loaded from. */
  public Path sourceFile() {
    return sourceFile;
  }

  @Override
  public void close() {
    hf.close();
  }
}
