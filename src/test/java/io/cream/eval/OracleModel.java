package io.cream.eval;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ORACLE, NOT A MODEL: answers every task by finding the answer in the prompt with a regex. It
 * tests the plumbing (prompt → tokens → generation → decoding → scoring → results), so a task
 * scored against it must reach accuracy 1.
 */
class OracleModel extends WordModel {
  private static final Pattern PASSKEY = Pattern.compile("The pass key is (\\d+)\\.");
  private static final Pattern KV_KEY = Pattern.compile("Key: \"([0-9a-f-]+)\"");
  private static final Pattern LINE_ASKED = Pattern.compile("in line (\\S+)\\? I need the number\\.");

  OracleModel(int contextLimit) {
    super("oracle", contextLimit);
  }

  @Override
  String reply(String p) {
    Matcher m = PASSKEY.matcher(p);
    if (m.find()) return m.group(1) + ". Remember it.";
    if (p.contains("Dolores Park")) return NeedleTask.NEEDLE;
    m = KV_KEY.matcher(p);
    if (m.find()) {
      Matcher v = Pattern.compile("\"" + m.group(1) + "\": \"([0-9a-f-]+)\"").matcher(p);
      if (v.find()) return "\"" + v.group(1) + "\"";
    }
    m = LINE_ASKED.matcher(p);
    if (m.find()) {
      Matcher v = Pattern.compile("line " + Pattern.quote(m.group(1)) + ": REGISTER_CONTENT is <(\\d+)>").matcher(p);
      if (v.find()) return "It is " + v.group(1) + ".";
    }
    return "I cannot tell.";
  }
}
