package io.cream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cream.chat.ChatTemplates;
import io.cream.testutil.ChatModels;
import io.cream.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chat fine-tuning end to end, as the README's recipe runs it: `cream train` on a folder of
 * conversations (ShareGPT and OpenAI lines) with CREAM positions, on the shipped 4M model given a
 * chat template; the loss falls and the result keeps the template for serving.
 */
class ChatTrainTest {
  @TempDir Path tmp;

  static final String[][] QA = {
      {"Where do the wild geese go in winter?", "They fly south over the marshes to the warm lakes of the coast."},
      {"What did the old sailor keep in his chest?", "A brass compass, three letters from home and a pipe of black wood."},
      {"Why was the little house so quiet that night?", "Everyone had gone down to the village to hear the singing at the inn."},
      {"How far is the mill from the river?", "It stands a short walk up the hill, past the orchard and the stone bridge."},
      {"Who wrote the letter on the kitchen table?", "The doctor wrote it before he left, asking them to wait for his return."},
      {"What colour was the door of the tower?", "It was painted a deep green, with an iron ring for a handle."},
  };

  static Path conversations(Path dir) throws IOException {
    Files.createDirectories(dir);
    List<String> sharegpt = new ArrayList<>();
    List<String> openai = new ArrayList<>();
    for (int i = 0; i < QA.length; i++) {
      String[] qa = QA[i];
      String[] next = QA[(i + 1) % QA.length];
      sharegpt.add(Json.compact(Json.MAPPER.createObjectNode().set("conversations", Json.MAPPER.valueToTree(List.of(
          java.util.Map.of("from", "human", "value", qa[0]), java.util.Map.of("from", "gpt", "value", qa[1]),
          java.util.Map.of("from", "human", "value", next[0]), java.util.Map.of("from", "gpt", "value", next[1]))))));
      openai.add(Json.compact(Json.MAPPER.createObjectNode().set("messages", Json.MAPPER.valueToTree(List.of(
          java.util.Map.of("role", "system", "content", "Answer as the storyteller."),
          java.util.Map.of("role", "user", "content", qa[0]), java.util.Map.of("role", "assistant", "content", qa[1]))))));
    }
    Files.write(dir.resolve("sharegpt.jsonl"), sharegpt);
    Files.write(dir.resolve("openai.jsonl"), openai);
    return dir;
  }

  @Test
  void conversationsTrainWithCreamAndTheLossFalls() throws IOException {
    Path model = ChatModels.vicuna4m(tmp.resolve("model"));
    Path data = conversations(tmp.resolve("chats"));
    Path out = tmp.resolve("out");
    CliRun r = CliRun.of("train", "--model", model.toString(), "--data", data.toString(), "--out", out.toString(),
        "--window", "40", "--factor", "3", "--method", "cream", "--rope", "linear", "--steps", "12", "--batch", "4",
        "--lr", "2e-3", "--warmup", "0", "--seed", "3");
    assertEquals(0, r.code(), r.err() + r.out());
    assertFalse((r.out() + r.err()).contains("left out"), "every conversation fits 41..120 tokens: " + r.out());
    List<JsonNode> lines = new ArrayList<>();
    for (String line : Files.readAllLines(out.resolve("metrics.jsonl"))) lines.add(Json.MAPPER.readTree(line));
    assertEquals(12, lines.size());
    double first = (lines.get(0).get("loss").asDouble() + lines.get(1).get("loss").asDouble()) / 2;
    double last = (lines.get(10).get("loss").asDouble() + lines.get(11).get("loss").asDouble()) / 2;
    assertTrue(last < 0.8 * first, "loss should fall: " + first + " → " + last);
    assertTrue(ChatTemplates.find(out).isPresent(), "the fine-tuned model keeps its chat template");
  }
}
