package io.cream.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cream.chat.HfChatTemplate;
import io.cream.io.TextTokenizer;
import io.cream.util.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Conversation lines (OpenAI messages, ShareGPT conversations) become documents rendered by the
 * model's chat template whose targets are exactly the assistant turns, down to the tokens.
 */
class ConversationDocumentsTest {
  @TempDir Path tmp;

  /** Meta's Llama-2-chat template (tokenizer_config.json of meta-llama/Llama-2-7b-chat-hf). */
  static final HfChatTemplate LLAMA2 = new HfChatTemplate("{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}"
      + "{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}{% set system_message = false %}"
      + "{% endif %}{% for message in loop_messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
      + "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
      + "{% if loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n'"
      + " + message['content'] %}{% else %}{% set content = message['content'] %}{% endif %}{% if message['role'] == 'user' %}"
      + "{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}{% elif message['role'] == 'assistant' %}"
      + "{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}",
      Map.of("bos_token", "<s>", "eos_token", "</s>"));

  static final String OPENAI = "{\"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"},"
      + " {\"role\": \"user\", \"content\": \"Name a colour.\"}, {\"role\": \"assistant\", \"content\": \"Blue.\"},"
      + " {\"role\": \"user\", \"content\": \"Another one?\"}, {\"role\": \"assistant\", \"content\": \"Green, like grass.\"}]}";
  static final String SHAREGPT = "{\"id\": \"q7\", \"conversations\": [{\"from\": \"human\", \"value\": \"What is two and two?\"},"
      + " {\"from\": \"gpt\", \"value\": \"Four.\"}]}";

  private Path data(String... lines) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("data"));
    Files.writeString(dir.resolve("chat.jsonl"), String.join("\n", lines) + "\n");
    return dir;
  }

  private static List<Document> read(DocumentSource s) {
    List<Document> out = new ArrayList<>();
    s.forEach(out::add);
    return out;
  }

  private static List<String> targetTexts(Document d) {
    return d.targets().stream().map(s -> d.text().substring(s.start(), s.end())).toList();
  }

  @Test
  void bothShapesRenderWithTheTemplateAndTargetTheAssistantTurns() throws IOException {
    List<Document> docs = read(DocumentSource.of(data(OPENAI, SHAREGPT, "{\"text\": \"plain\"}")).withChatTemplate(LLAMA2));
    assertEquals(3, docs.size());
    Document a = docs.get(0);
    assertEquals("<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nName a colour. [/INST] Blue. </s><s>[INST] Another one? [/INST]"
        + " Green, like grass. </s>", a.text());
    assertEquals(List.of(" Blue. </s>", " Green, like grass. </s>"), targetTexts(a));
    assertTrue(a.templated());
    assertEquals("chat.jsonl#1", a.id());
    Document b = docs.get(1);
    assertEquals("<s>[INST] What is two and two? [/INST] Four. </s>", b.text());
    assertEquals(List.of(" Four. </s>"), targetTexts(b));
    assertEquals(new Document("chat.jsonl#3", "plain"), docs.get(2));
  }

  @Test
  void aBadConversationLineIsOneErrorNamingFileAndLine() throws IOException {
    String[][] cases = {
        {"{\"conversations\": [{\"from\": \"human\", \"value\": \"q\"}, {\"from\": \"robot\", \"value\": \"a\"}]}",
            "line 2: conversations[1].from is 'robot'; use human, gpt or system"},
        {"{\"messages\": [{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"user\", \"content\": \"b\"},"
            + " {\"role\": \"assistant\", \"content\": \"c\"}]}",
            "line 2: the chat template refused the conversation: Conversation roles must alternate"},
        {"{\"messages\": [{\"role\": \"user\", \"content\": \"only a question\"}]}",
            "line 2: the conversation has no assistant (gpt) turn with text to train on"},
        {"{\"messages\": [{\"role\": \"user\"}, {\"role\": \"assistant\", \"content\": 7}]}",
            "line 2: messages[1].content must be a string or a list of text parts"},
        {"{\"dialogue\": []}", "line 2: no string field \"text\""},
    };
    for (String[] c : cases) {
      DocumentSource s = DocumentSource.of(data(SHAREGPT, c[0])).withChatTemplate(LLAMA2);
      UserError e = assertThrows(UserError.class, () -> read(s), c[0]);
      assertTrue(e.getMessage().contains("chat.jsonl " + c[1]), e.getMessage());
    }
    UserError none = assertThrows(UserError.class, () -> read(DocumentSource.of(data(SHAREGPT))));
    assertTrue(none.getMessage().endsWith("chat.jsonl line 1: a conversation, but the model's tokenizer has no chat template"
        + " to render it with; add a \"chat_template\" to its tokenizer_config.json"), none.getMessage());
  }

  /**
   * A tokenizer with one token per character and one per special token: the target tokens must be
   * exactly the characters of the assistant spans, whatever the boundaries.
   */
  @Test
  void targetTokensAreExactlyTheAssistantCharacters() throws IOException {
    List<Integer> charOfToken = new ArrayList<>();
    Function<String, int[]> charTokens = text -> {
      List<Integer> ids = new ArrayList<>();
      for (int i = 0; i < text.length(); ) {
        if (text.startsWith("<s>", i)) { ids.add(1); i += 3; }
        else if (text.startsWith("</s>", i)) { ids.add(2); i += 4; }
        else ids.add(100 + text.charAt(i++));
      }
      return ids.stream().mapToInt(Integer::intValue).toArray();
    };
    DocumentSource s = DocumentSource.of(data(OPENAI, SHAREGPT)).withChatTemplate(LLAMA2);
    List<Document> docs = read(s);
    try (TokenizedCorpus c = TokenCache.in(tmp.resolve("cache")).quiet().open(s, text -> { throw new AssertionError("plain"); },
        charTokens, "chars")) {
      for (int d = 0; d < docs.size(); d++) {
        Document doc = docs.get(d);
        // Token i covers characters [at_i, at_i+1); a token is a target iff its characters lie in a span.
        charOfToken.clear();
        for (int i = 0; i < doc.text().length(); ) {
          charOfToken.add(i);
          i += doc.text().startsWith("<s>", i) ? 3 : doc.text().startsWith("</s>", i) ? 4 : 1;
        }
        int[] spans = c.targetSpans(d);
        assertTrue(c.masked(d));
        for (int t = 0; t < c.length(d); t++) {
          int ch = charOfToken.get(t);
          boolean inAssistant = doc.targets().stream().anyMatch(sp -> ch >= sp.start() && ch < sp.end());
          assertEquals(inAssistant, TokenizedCorpus.inSpans(spans, t), "document " + d + " token " + t);
        }
      }
    }
  }

  /** The shipped model's real tokenizer: each target span decodes to its assistant turn, one BOS. */
  @Test
  void withARealTokenizerTheSpansDecodeToTheReplies() throws IOException {
    DocumentSource s = DocumentSource.of(data(OPENAI, SHAREGPT)).withChatTemplate(LLAMA2);
    List<Document> docs = read(s);
    try (TextTokenizer tok = TextTokenizer.load(Path.of("models/cream-base-4m"));
        TokenizedCorpus c = TokenCache.in(tmp.resolve("cache")).quiet().open(s, tok::encode, tok::encodePlain, "4m")) {
      for (int d = 0; d < docs.size(); d++) {
        int[] tokens = c.tokens(d);
        assertArrayEquals(tok.encodePlain(docs.get(d).text()), tokens, "rendered text tokenized as is");
        assertEquals(tok.bosId(), tokens[0]);
        assertFalse(tokens[1] == tok.bosId(), "one BOS, the template's");
        int[] spans = c.targetSpans(d);
        List<String> decoded = new ArrayList<>();
        for (int i = 0; i < spans.length; i += 2) {
          decoded.add(tok.decode(java.util.Arrays.copyOfRange(tokens, spans[i], spans[i + 1])).strip());
        }
        assertEquals(targetTexts(docs.get(d)).stream().map(String::strip).toList(), decoded);
      }
    }
  }
}
