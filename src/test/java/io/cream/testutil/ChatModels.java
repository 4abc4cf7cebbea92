package io.cream.testutil;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The shipped 4M model made a chat model: a copy with Vicuna's chat template in its tokenizer_config.json. */
public final class ChatModels {
  /** The base model the copies are made from (in the repository, no chat template). */
  public static final Path BASE = Path.of("models/cream-base-4m");

  /** llama.cpp's Vicuna template (eachadea/vicuna-13b-1.1 ships none): "USER: ...\nASSISTANT: ...</s>\n". */
  public static final String VICUNA = "{%- for message in messages %}{%- if message['role'] == 'system' -%}"
      + "{{- '' + message['content'] + '\\n\\n' -}}{%- else -%}{%- if message['role'] == 'user' -%}"
      + "{{-'USER: ' + message['content'] + '\\n'-}}{%- else -%}{{-'ASSISTANT: ' + message['content'] + '</s>\\n' -}}"
      + "{%- endif -%}{%- endif -%}{%- endfor -%}{%- if add_generation_prompt -%}{{-'ASSISTANT:'-}}{%- endif -%}";

  private ChatModels() {}

  /** Copies the base model into dir and gives it the Vicuna chat template. */
  public static Path vicuna4m(Path dir) throws IOException {
    Files.createDirectories(dir);
    try (var files = Files.list(BASE)) {
      for (Path f : files.toList()) Files.copy(f, dir.resolve(f.getFileName()));
    }
    ObjectNode config = (ObjectNode) Json.read(dir.resolve("tokenizer_config.json"));
    config.put("chat_template", VICUNA);
    Json.writeAtomically(dir.resolve("tokenizer_config.json"), config);
    return dir;
  }
}
