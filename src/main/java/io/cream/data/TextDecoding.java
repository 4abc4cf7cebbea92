package io.cream.data;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Turns a text file's bytes into a document's text: UTF-8 when the bytes are valid UTF-8, else
 * Windows-1252 (older Project Gutenberg files are Latin-1); a byte-order mark is dropped and line
 * endings become '\n', so the same text tokenizes the same whatever system wrote it.
 */
final class TextDecoding {
  private static final Charset WINDOWS_1252 = Charset.forName("windows-1252");

  private TextDecoding() {}

  static String decode(byte[] bytes) {
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException notUtf8) {
      text = new String(bytes, WINDOWS_1252);
    }
    return normalize(text);
  }

  /** Drops a leading byte-order mark and turns CRLF and lone CR into LF. */
  static String normalize(String text) {
    if (!text.isEmpty() && text.charAt(0) == '\uFEFF') text = text.substring(1);
    if (text.indexOf('\r') < 0) return text;
    return text.replace("\r\n", "\n").replace('\r', '\n');
  }
}
