package io.cream.serve;

import java.io.PrintStream;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The HTTP server of `cream serve`: Jetty's core server (no servlets) with the OpenAI routes of
 * {@link ApiHandler} and one {@link Scheduler}. {@link #close} shuts down gracefully: no new
 * connections or requests, the admitted requests finish (for at most the drain time), then the
 * generation thread stops. The model stays the caller's to close.
 */
public final class OpenAiServer implements AutoCloseable {
  /** How long a connection may be silent: a long non-streamed generation sends nothing until done. */
  private static final long IDLE_TIMEOUT_MS = 60L * 60 * 1000;

  private final Server server;
  private final ServerConnector connector;
  private final Scheduler scheduler;
  private final long drainMillis;
  private final java.util.concurrent.CountDownLatch closedLatch = new java.util.concurrent.CountDownLatch(1);
  private boolean closed;

  private final PrintStream log;

  private OpenAiServer(Server server, ServerConnector connector, Scheduler scheduler, long drainMillis, PrintStream log) {
    this.log = log;
    this.server = server;
    this.connector = connector;
    this.scheduler = scheduler;
    this.drainMillis = drainMillis;
  }

  /**
   * Starts serving on host:port (port 0: a free one, see {@link #port}).
   *
   * @param parallel requests generating at once
   * @param queue requests waiting beyond those before new ones get 429
   * @param chatDefaultMaxTokens a chat reply's limit when the request sets none
   * @param drainMillis how long {@link #close} lets admitted requests finish
   */
  public static OpenAiServer start(ServedModel model, String host, int port, int parallel, int queue,
      int chatDefaultMaxTokens, long drainMillis, PrintStream log) throws Exception {
    QueuedThreadPool threads = new QueuedThreadPool(Math.max(16, 2 * (parallel + queue) + 8));
    threads.setName("cream-http");
    threads.setDaemon(true);
    Server server = new Server(threads);
    ServerConnector connector = new ServerConnector(server);
    connector.setHost(host);
    connector.setPort(port);
    connector.setIdleTimeout(IDLE_TIMEOUT_MS);
    server.addConnector(connector);
    Scheduler scheduler = new Scheduler(parallel, queue);
    // GracefulHandler lets Server.stop wait for the requests in flight instead of cutting them.
    server.setHandler(new GracefulHandler(new ApiHandler(model, scheduler, chatDefaultMaxTokens, log)));
    server.setStopTimeout(drainMillis);
    server.setStopAtShutdown(false); // close() is called from cream's own shutdown hook
    try {
      server.start();
    } catch (Exception e) {
      scheduler.close();
      server.stop();
      throw e;
    }
    return new OpenAiServer(server, connector, scheduler, drainMillis, log);
  }

  /** The port the server listens on. */
  public int port() {
    return connector.getLocalPort();
  }

  /** Blocks until the server has stopped and its generation thread with it ({@link #close}). */
  public void join() throws InterruptedException {
    server.join();
    closedLatch.await();
  }

  /** Graceful stop: see the class comment. Safe to call twice. */
  @Override
  public synchronized void close() {
    if (closed) return;
    closed = true;
    int[] load = scheduler.load();
    log.printf("cream serve: shutting down: %d request(s) generating and %d waiting may finish (up to %d s)%n",
        load[0], load[1], drainMillis / 1000);
    log.flush();
    Thread drain = Thread.ofPlatform().name("cream-drain").start(() -> scheduler.shutdown(drainMillis));
    try {
      server.stop();
    } catch (Exception e) {
      // stopping failed half way: the scheduler still fails what is left below
    }
    try {
      drain.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.println("cream serve: stopped");
    log.flush();
    closedLatch.countDown();
  }

  /** Requests generating and waiting now (tests watch the queue fill). */
  int[] load() {
    return scheduler.load();
  }
}
