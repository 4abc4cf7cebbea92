// Calls a running `cream serve` with OpenAI's Node SDK and checks what the SDK hands back:
// models, completions and chat completions (whole and streamed), and errors as the SDK's classes.
// Usage: node client.mjs BASE_URL MODEL   (prints one JSON line; exit code 0 when every check holds)
import OpenAI from 'openai';
import assert from 'node:assert/strict';

const [baseURL, model] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey: 'not-needed', maxRetries: 0, timeout: 120_000 });

const models = await client.models.list();
assert.deepEqual(models.data.map((m) => m.id), [model]);

// Greedy completion, whole and streamed: the same text.
const completion = await client.completions.create({ model, prompt: 'Once upon a time', max_tokens: 8, temperature: 0 });
assert.equal(completion.object, 'text_completion');
assert.equal(completion.choices.length, 1);
assert.ok(['stop', 'length'].includes(completion.choices[0].finish_reason));
assert.equal(completion.usage.total_tokens, completion.usage.prompt_tokens + completion.usage.completion_tokens);
let streamedCompletion = '';
for await (const chunk of await client.completions.create({
  model, prompt: 'Once upon a time', max_tokens: 8, temperature: 0, stream: true,
})) {
  streamedCompletion += chunk.choices[0]?.text ?? '';
}
assert.equal(streamedCompletion, completion.choices[0].text);

// Chat, whole and streamed (with usage in the last chunk).
const messages = [{ role: 'system', content: 'You tell stories.' }, { role: 'user', content: 'Tell me a story.' }];
const chat = await client.chat.completions.create({ model, messages, max_tokens: 8, temperature: 0 });
assert.equal(chat.object, 'chat.completion');
assert.equal(chat.choices[0].message.role, 'assistant');
assert.equal(typeof chat.choices[0].message.content, 'string');
let streamedChat = '';
let role = null;
let finish = null;
let usage = null;
for await (const chunk of await client.chat.completions.create({
  model, messages, max_tokens: 8, temperature: 0, stream: true, stream_options: { include_usage: true },
})) {
  assert.equal(chunk.object, 'chat.completion.chunk');
  if (chunk.usage) usage = chunk.usage;
  for (const choice of chunk.choices) {
    role ??= choice.delta.role ?? null;
    streamedChat += choice.delta.content ?? '';
    finish = choice.finish_reason ?? finish;
  }
}
assert.equal(role, 'assistant');
assert.equal(streamedChat, chat.choices[0].message.content);
assert.equal(finish, chat.choices[0].finish_reason);
assert.deepEqual(usage, chat.usage);

// Errors arrive as the SDK's error classes, with OpenAI's fields.
await assert.rejects(client.chat.completions.create({ model: 'no-such-model', messages, max_tokens: 4 }), (e) => {
  assert.ok(e instanceof OpenAI.NotFoundError, String(e));
  assert.equal(e.code, 'model_not_found');
  return true;
});
await assert.rejects(client.completions.create({ model, prompt: 'a', max_tokens: 4, n: 2 }), (e) => {
  assert.ok(e instanceof OpenAI.BadRequestError, String(e));
  assert.equal(e.param, 'n');
  return true;
});
await assert.rejects(client.completions.create({ model, prompt: 'a', max_tokens: 1_000_000 }), (e) => {
  assert.ok(e instanceof OpenAI.BadRequestError, String(e));
  assert.equal(e.code, 'context_length_exceeded');
  return true;
});

console.log(JSON.stringify({
  ok: true,
  completion: completion.choices[0].text,
  chat: chat.choices[0].message.content,
  chatUsage: chat.usage,
}));
