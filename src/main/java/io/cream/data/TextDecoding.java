package io.cream.data;

import io.cream.util.UserError;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Turns a text file's bytes into a document's text: UTF-8 when the bytes are valid UTF-8, else
 * Windows-1252 (older Project Gutenberg files are Latin-1); a byte-order mark is dropped and line
 * endings become '\n', so the same text tokenizes the same whatever system wrote it.
 *
 * <p>A file that is mostly not text (more than {@link #MAX_BINARY_SHARE} of its characters control
 * characters or undecodable) is refused; one that is not UTF-8 is read, with a warning.
 */
final class TextDecoding {
  private static final Charset WINDOWS_1252 = Charset.forName("windows-1252");
  /** The share of control or undecodable characters above which a file is taken for binary. */
  static final double MAX_BINARY_SHARE = 0.10;

  private TextDecoding() {}

  /** The decoded text and, when the bytes were not UTF-8, how many byte sequences were invalid. */
  record Decoded(String text, int invalidUtf8) {}

  /** Decodes the bytes of {@code file}, refusing a binary file (one line naming it). */
  static Decoded decode(byte[] bytes, Path file) {
    String text;
    int invalid = 0;
    try {
      text = strictUtf8(bytes);
    } catch (CharacterCodingException notUtf8) {
      invalid = countInvalidUtf8(bytes);
      text = new String(bytes, WINDOWS_1252);
    }
    requireText(text, invalid, file);
    return new Decoded(normalize(text), invalid);
  }

  private static String strictUtf8(byte[] bytes) throws CharacterCodingException {
    return StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(bytes))
        .toString();
  }

  /** The replacement characters a lenient UTF-8 decoder would put in (one per invalid sequence). */
  private static int countInvalidUtf8(byte[] bytes) {
    String lenient = new String(bytes, StandardCharsets.UTF_8);
    int n = 0;
    for (int i = 0; i < lenient.length(); i++) if (lenient.charAt(i) == '\uFFFD') n++;
    return n;
  }

  private static void requireText(String text, int invalidUtf8, Path file) {
    if (text.isEmpty()) return;
    long odd = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean control = (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f') || c == 0x7F;
      if (control || c == '\uFFFD') odd++;
    }
    double share = (double) Math.max(odd, invalidUtf8) / text.length();
    if (share > MAX_BINARY_SHARE) {
      throw new UserError(file + " looks binary, not text (" + Math.round(share * 100) + "% of its characters are"
          + " control characters or not UTF-8); remove it from the data folder, or convert it to UTF-8 text");
    }
  }

  /** Drops a leading byte-order mark and turns CRLF and lone CR into LF. */
  static String normalize(String text) {
    if (!text.isEmpty() && text.charAt(0) == '\uFEFF') text = text.substring(1);
    if (text.indexOf('\r') < 0) return text;
    return text.replace("\r\n", "\n").replace('\r', '\n');
  }
}
