package io.cream.data;

import com.fasterxml.jackson.databind.JsonNode;
import io.cream.chat.AssistantSpans;
import io.cream.chat.ChatMessage;
import io.cream.chat.ChatTemplateException;
import io.cream.chat.Conversations;
import io.cream.chat.HfChatTemplate;
import io.cream.util.Json;
import io.cream.util.UserError;
import java.io.BufferedReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.BiPredicate;
import java.util.zip.GZIPInputStream;

/**
 * Reads a {@link DocumentSource}'s files one document at a time. At most one file is open; close
 * the iterator when stopping before the end. {@link #bytesRead()} tells how far it got in bytes on
 * disk, comparable with {@link DocumentSource#totalBytes()}.
 */
public final class DocumentIterator implements java.util.Iterator<Document>, AutoCloseable {
  private final List<DocumentFile> files;
  private final BiPredicate<String, String> keep; // (file relative path, document id)
  private final HfChatTemplate chatTemplate; // null: conversation lines are an error

  private int nextFile;
  private DocumentFile current;
  private long finishedBytes;
  private CountingStream counting;
  private DocumentFile jsonlFile;
  private BufferedReader jsonl;
  private int lineNumber;
  private Document next;

  DocumentIterator(List<DocumentFile> files, BiPredicate<String, String> keep, HfChatTemplate chatTemplate) {
    this.files = files;
    this.keep = keep;
    this.chatTemplate = chatTemplate;
  }

  @Override
  public boolean hasNext() {
    try {
      while (next == null) {
        if (jsonl != null) {
          next = nextJsonlDocument();
          if (next == null) finishFile();
        } else if (nextFile < files.size()) {
          openFile(files.get(nextFile++));
        } else {
          return false;
        }
      }
      return true;
    } catch (IOException e) {
      close();
      throw unreadable(current, e);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  @Override
  public Document next() {
    if (!hasNext()) throw new NoSuchElementException();
    Document d = next;
    next = null;
    return d;
  }

  /** Bytes on disk consumed so far (whole files plus the part of the open one already read). */
  public long bytesRead() {
    return finishedBytes + (counting == null ? 0 : counting.count);
  }

  @Override
  public void close() {
    try {
      if (jsonl != null) jsonl.close();
      else if (counting != null) counting.close();
    } catch (IOException ignored) {
      // nothing was written, so a failed close loses nothing
    }
    jsonl = null;
    jsonlFile = null;
    counting = null;
  }

  private void openFile(DocumentFile f) throws IOException {
    current = f;
    counting = new CountingStream(Files.newInputStream(f.path()));
    InputStream in = f.gzipped() ? new GZIPInputStream(counting, 1 << 16) : counting;
    if (f.format() == DocumentFile.Format.TEXT) {
      byte[] bytes;
      try (in) {
        bytes = in.readAllBytes();
      }
      finishFile();
      // The id of a whole-file document is its path, already checked when the file was selected.
      TextDecoding.Decoded text = TextDecoding.decode(bytes, f.path());
      if (text.invalidUtf8() > 0) warnNotUtf8(f, text.invalidUtf8());
      next = new Document(f.relativePath(), text.text());
    } else {
      var decoder =
          StandardCharsets.UTF_8.newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT);
      jsonl = new BufferedReader(new InputStreamReader(in, decoder), 1 << 16);
      jsonlFile = f;
      lineNumber = 0;
    }
  }

  /** One line naming the file and what to do; a damaged .gz says so (a 0-byte one has no message). */
  private static RuntimeException unreadable(DocumentFile f, IOException e) {
    String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (f.gzipped() && (e instanceof java.io.EOFException || e instanceof java.util.zip.ZipException)) {
      return new UserError(f.path() + " is not a complete gzip file (" + why + (e instanceof java.io.EOFException
          ? ": empty or cut short" : "") + "); download it again, or remove it from the data folder");
    }
    return new UncheckedIOException("cannot read documents from " + f.path() + ": " + why, e);
  }

  /** Warns once per file (a run may read its data more than once). */
  private static void warnNotUtf8(DocumentFile f, int invalid) {
    if (!WARNED.add(f.path().toAbsolutePath().toString())) return;
    System.err.println("cream: warning: " + f.path() + " is not valid UTF-8 (" + invalid + " invalid byte sequence"
        + (invalid == 1 ? "" : "s") + ", each a replacement character in UTF-8); read as Windows-1252 — convert it to"
        + " UTF-8 if that is wrong");
  }

  private static final java.util.Set<String> WARNED = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private void finishFile() throws IOException {
    if (jsonl != null) jsonl.close();
    else if (counting != null) counting.close();
    if (counting != null) finishedBytes += counting.count;
    counting = null;
    jsonl = null;
    jsonlFile = null;
  }

  /** The next kept document of the open .jsonl file, or null at its end. */
  private Document nextJsonlDocument() throws IOException {
    while (true) {
      String line;
      try {
        line = jsonl.readLine();
      } catch (CharacterCodingException e) {
        throw new UserError(jsonlFile.path() + " near line " + (lineNumber + 1) + ": not valid UTF-8 (a .jsonl file must be UTF-8)");
      }
      if (line == null) return null;
      lineNumber++;
      if (lineNumber == 1 && line.startsWith("\uFEFF")) line = line.substring(1);
      if (line.isBlank()) continue;
      String id = jsonlFile.relativePath() + "#" + lineNumber;
      if (!keep.test(jsonlFile.relativePath(), id)) continue;
      return document(id, line);
    }
  }

  /** A .jsonl line: {"text": ...}, {"prompt": ..., "completion": ...} or a conversation. */
  private Document document(String id, String line) {
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(line);
    } catch (IOException e) {
      throw new UserError(jsonlFile.path() + " line " + lineNumber + ": not valid JSON (each line of a .jsonl file must be one JSON object)");
    }
    JsonNode text = node == null ? null : node.get("text");
    if (text != null && text.isTextual()) return new Document(id, TextDecoding.normalize(text.textValue()));
    JsonNode prompt = node == null ? null : node.get("prompt");
    JsonNode completion = node == null ? null : node.get("completion");
    if (prompt != null && prompt.isTextual() && completion != null && completion.isTextual()) {
      String p = TextDecoding.normalize(prompt.textValue());
      String c = TextDecoding.normalize(completion.textValue());
      if (c.isEmpty()) {
        throw new UserError(jsonlFile.path() + " line " + lineNumber
            + ": \"completion\" is empty (a prompt/completion document is trained on its completion; give it some text)");
      }
      return new Document(id, p + c, p.length());
    }
    if (Conversations.isConversation(node)) return conversation(id, node);
    throw new UserError(jsonlFile.path() + " line " + lineNumber + ": no string field \"text\", no string"
        + " fields \"prompt\" and \"completion\", and no conversation (each line of a .jsonl file must be an"
        + " object like {\"text\": \"...\"}, {\"prompt\": \"...\", \"completion\": \"...\"},"
        + " {\"messages\": [{\"role\": \"user\", \"content\": \"...\"}, ...]} or"
        + " {\"conversations\": [{\"from\": \"human\", \"value\": \"...\"}, ...]})");
  }

  /** A conversation line, rendered by the chat template; its assistant turns are the targets. */
  private Document conversation(String id, JsonNode node) {
    String where = jsonlFile.path() + " line " + lineNumber;
    if (chatTemplate == null) {
      throw new UserError(where + ": a conversation, but the model's tokenizer has no chat template to render it"
          + " with; add a \"chat_template\" to its tokenizer_config.json");
    }
    List<ChatMessage> messages;
    try {
      messages = Conversations.parse(node).stream()
          .map(m -> new ChatMessage(m.role(), TextDecoding.normalize(m.content())))
          .toList();
    } catch (IllegalArgumentException e) {
      throw new UserError(where + ": " + e.getMessage());
    }
    if (messages.stream().noneMatch(m -> m.isAssistant() && !m.content().isEmpty())) {
      throw new UserError(where + ": the conversation has no assistant (gpt) turn with text to train on");
    }
    AssistantSpans.Rendered r;
    try {
      r = AssistantSpans.render(chatTemplate, messages);
    } catch (ChatTemplateException e) {
      throw new UserError(where + ": " + e.getMessage());
    }
    List<TextSpan> spans = new ArrayList<>();
    for (int i = 0; i < r.spans().length; i += 2) spans.add(new TextSpan(r.spans()[i], r.spans()[i + 1]));
    return new Document(id, r.text(), spans, true);
  }

  /** Counts the bytes read from the file itself (before decompression). */
  private static final class CountingStream extends FilterInputStream {
    long count;

    CountingStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) count++;
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) count += n;
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long skipped = super.skip(n);
      count += skipped;
      return skipped;
    }
  }
}
