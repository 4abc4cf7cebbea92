/**
 * `cream serve`: an OpenAI-compatible HTTP server on Jetty's core server. {@link
 * io.cream.serve.ApiHandler} checks each request and answers in OpenAI's shapes (errors included);
 * {@link io.cream.serve.Scheduler} runs the generations on one thread, because a backend serves one
 * thread at a time, taking turns between up to --parallel requests with a bounded queue; each
 * {@link io.cream.serve.GenerationJob} has its own KV cache. {@link io.cream.serve.ServedModel}
 * holds the model, its tokenizer, chat template and window.
 */
package io.cream.serve;
