package io.cream.serve;

import io.cream.model.InferenceSession;
import io.cream.model.Sampler;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One request's generation: its own KV cache (an {@link InferenceSession} sized prompt +
 * max_tokens, made when its turn comes and closed when it ends), its sampler and its text. The
 * scheduler's thread calls {@link #step} (a prompt chunk, or one new token); the request's HTTP
 * thread reads the {@link Event}s it leaves. Nothing is shared with other requests.
 */
final class GenerationJob {
  /** What the HTTP side receives: text pieces, then one Done or Failed. */
  sealed interface Event {}

  record Piece(String text) implements Event {}

  record Done(String finishReason, int promptTokens, int completionTokens) implements Event {}

  record Failed(ApiError error) implements Event {}

  private final ServedModel served;
  private final int[] prompt;
  private final int maxTokens;
  private final Sampler sampler;
  private final TextStream text;
  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private final long createdNanos = System.nanoTime();
  private volatile boolean cancelled;
  private volatile long startedNanos;
  private InferenceSession session;
  private int prefilled;
  private int generated;
  private float[] logits;
  private boolean finished;

  GenerationJob(ServedModel served, int[] prompt, SamplingParams params) {
    this.served = served;
    this.prompt = prompt;
    this.maxTokens = params.maxTokens();
    this.sampler = params.sampler();
    this.text = new TextStream(served.tokenizer(), prompt, params.stop());
  }

  /** The client went away: the scheduler drops the job at its next step. */
  void cancel() {
    cancelled = true;
  }

  boolean cancelled() {
    return cancelled;
  }

  boolean finished() {
    return finished;
  }

  /** Seconds the job waited for a generation slot (0 until it got one). */
  double queuedSeconds() {
    return startedNanos == 0 ? 0 : (startedNanos - createdNanos) / 1e9;
  }

  /** The next event, waiting at most the given time; null on time-out. */
  Event poll(long timeout, TimeUnit unit) throws InterruptedException {
    return events.poll(timeout, unit);
  }

  /**
   * One unit of work on the scheduler's thread: the next chunk of the prompt, or one token. After
   * the last one the job has left its Done (or Failed) event and closed its session.
   */
  void step() {
    if (finished) return;
    try {
      if (session == null) {
        startedNanos = System.nanoTime();
        session = new InferenceSession(served.model(), prompt.length + maxTokens);
      }
      if (prefilled < prompt.length) {
        int chunk = Math.max(1, served.model().backend().promptChunk());
        int end = Math.min(prompt.length, prefilled + chunk);
        boolean last = end == prompt.length;
        float[] out = session.append(Arrays.copyOfRange(prompt, prefilled, end),
            last ? InferenceSession.Logits.LAST : InferenceSession.Logits.NONE);
        prefilled = end;
        if (last) logits = out;
        return;
      }
      int next = sampler.next(logits);
      if (served.isStop(next)) {
        end("stop");
        return;
      }
      generated++;
      String piece = text.add(next);
      if (!piece.isEmpty()) events.add(new Piece(piece));
      if (text.stopped()) {
        end("stop");
      } else if (generated == maxTokens) {
        end("length");
      } else {
        logits = session.append(new int[] {next}, InferenceSession.Logits.LAST);
      }
    } catch (ApiError e) {
      fail(e);
    } catch (io.cream.util.UserError e) {
      fail(ApiError.invalid(null, e.getMessage()));
    } catch (RuntimeException | OutOfMemoryError e) {
      fail(new ApiError(500, "server_error", null, null, "generation failed: " + e));
    }
  }

  private void end(String finishReason) {
    String rest = text.finish();
    if (!rest.isEmpty()) events.add(new Piece(rest));
    events.add(new Done(finishReason, prompt.length, generated));
    release();
  }

  /** Ends the job with an error (also used when the server shuts down under it). */
  void fail(ApiError e) {
    if (finished) return;
    events.add(new Failed(e));
    release();
  }

  /** Closes the session without an event (the job was cancelled). */
  void release() {
    finished = true;
    if (session != null) {
      session.close();
      session = null;
    }
  }
}
