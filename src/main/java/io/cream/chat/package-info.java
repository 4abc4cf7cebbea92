/**
 * Chat templates as Hugging Face renders them: a model's Jinja2 {@code chat_template} (from
 * tokenizer_config.json or chat_template.jinja) rendered by Jinjava set up like transformers'
 * sandbox ({@link io.cream.chat.HfChatTemplate}); conversations in OpenAI and ShareGPT JSON
 * ({@link io.cream.chat.Conversations}); and where the assistant's replies lie in a rendering
 * ({@link io.cream.chat.AssistantSpans}), which chat fine-tuning trains on. The evaluations'
 * fixed vicuna wrapping stays in {@link io.cream.eval.ChatTemplate}: it is the reference's prompt,
 * not a model's template.
 */
package io.cream.chat;
