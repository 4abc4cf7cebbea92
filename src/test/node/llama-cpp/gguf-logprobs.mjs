// Runs GGUF files through llama.cpp (node-llama-cpp's prebuilt CPU binaries) for cream's GGUF
// parity tests. Reads one JSON request per line on stdin and answers each with one JSON line on
// stdout, until stdin closes (so a test run starts llama.cpp once):
//   echo '{"model": "x.gguf", "tokens": [1, 300, 301], "texts": ["Hello"]}' | node gguf-logprobs.mjs
// Request fields:
//   model        the GGUF file (loaded for this request only)
//   tokens       → "logprobs": log p(tokens[i] | tokens[<i]) for i ≥ 1 (softmax of llama.cpp's logits)
//   contextSize  the context for "tokens" (default 512)
//   texts        → "tokenized": llama.cpp's ids for each text (no BOS added; "<s>" etc. written in
//                the text are special tokens, as Hugging Face tokenizers read them)
// The KV cache is float32 so that a float32 model is compared at float32 precision.
import {createInterface} from "node:readline";
import {getLlama, LlamaLogLevel} from "node-llama-cpp";

const llama = await getLlama({gpu: false, build: "never", logLevel: LlamaLogLevel.error, progressLogs: false});

async function answer(request) {
  const model = await llama.loadModel({modelPath: request.model, gpuLayers: 0});
  try {
    const out = {llamaCpp: llama.llamaCppRelease.release};
    if (request.texts) out.tokenized = request.texts.map(t => Array.from(model.tokenize(t, true)));
    if (request.tokens) out.logprobs = await logprobs(model, request.tokens, request.contextSize ?? 512);
    return out;
  } finally {
    await model.dispose();
  }
}

async function logprobs(model, tokens, contextSize) {
  const context = await model.createContext({
    contextSize, batchSize: contextSize, threads: 2, flashAttention: false,
    experimentalKvCacheKeyType: "F32", experimentalKvCacheValueType: "F32"});
  try {
    // The distribution after every token but the last; the next input token is the one scored.
    const input = tokens.map((t, i) => i < tokens.length - 1 ? [t, {generateNext: {probabilities: true}}] : t);
    const results = await context.getSequence().controlledEvaluate(input);
    return tokens.slice(1).map((next, i) => Math.log(results[i].next.probabilities.get(next)));
  } finally {
    await context.dispose();
  }
}

for await (const line of createInterface({input: process.stdin})) {
  if (line.trim() === "") continue;
  let reply;
  try {
    reply = await answer(JSON.parse(line));
  } catch (e) {
    reply = {error: String(e?.stack ?? e)};
  }
  process.stdout.write(JSON.stringify(reply) + "\n");
}
