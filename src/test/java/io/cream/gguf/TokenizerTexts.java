package io.cream.gguf;

import io.cream.testutil.SharedData;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Text for comparing tokenizers: the README and model card (Markdown, code, ×, —, é), stretches of
 * seven kinds of book from the shared corpus, and short strings at the edges (runs of spaces,
 * tabs and newlines, characters outside the vocabulary that fall back to bytes, digits, special tokens written in the
 * text, empty).
 */
final class TokenizerTexts {
  private TokenizerTexts() {}

  static List<String> all() throws IOException {
    List<String> texts = new ArrayList<>();
    texts.add(Files.readString(Path.of("README.md")));
    texts.add(Files.readString(Path.of("models/cream-base-4m/MODEL_CARD.md")));
    for (String book : List.of("gutenberg/carroll-alice.txt.gz", "gutenberg/bible-kjv.txt.gz",
        "gutenberg/blake-poems.txt.gz", "gutenberg/shakespeare-hamlet.txt.gz", "gutenberg/whitman-leaves.txt.gz",
        "jargon/jargon-file-4.4.7.txt.gz", "austen/prideprejudice.txt.gz")) {
      texts.add(book(book, 20_000));
    }
    texts.addAll(List.of("", "a", " ", "  two leading spaces", "trailing spaces   ", "tabs\tand\r\nreturns\n\n\n",
        "emoji 😀 and 𝄞, CJK 日本語のテキスト, Ελληνικά, кириллица", "numbers 1234567890 3.14159 -42 1e-5",
        "punctuation!!! ??? ... --- ''' \"\"\" <0x41> <unk>", "special <s> in</s>the<s>  text", "mixed   spaces \u00a0no-break\u2009thin"));
    return texts;
  }

  /** The first {@code chars} characters of a corpus book. */
  static String book(String relative, int chars) throws IOException {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(SharedData.path("corpus/" + relative)))) {
      String text = new String(in.readNBytes(chars * 4), StandardCharsets.UTF_8);
      return text.substring(0, Math.min(chars, text.length()));
    }
  }
}
