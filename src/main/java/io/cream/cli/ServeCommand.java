package io.cream.cli;

import io.cream.backend.Backend;
import io.cream.serve.OpenAiServer;
import io.cream.serve.ServedModel;
import io.cream.util.UserError;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {"Serve a model over OpenAI's HTTP API for the openai SDKs and other clients.",
        "GET /v1/models, POST /v1/completions and POST /v1/chat/completions (stream or not)."
            + " Each request gets its own KV cache; Ctrl-C (or SIGTERM) finishes the requests in"
            + " flight, then stops. No authentication: it listens on 127.0.0.1 unless --host says."})
public final class ServeCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, paramLabel = "DIR", description = "Hugging Face checkpoint folder.")
  Path model;

  @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "ADDR",
      description = "Address to listen on (default ${DEFAULT-VALUE}; 0.0.0.0 for every interface).")
  String host;

  @Option(names = "--port", defaultValue = "8000", paramLabel = "P",
      description = "Port (default ${DEFAULT-VALUE}; 0 picks a free one and prints it).")
  int port;

  @Option(names = "--served-model-name", paramLabel = "NAME",
      description = "The model's name in the API (default: the folder's name); requests must name it.")
  String name;

  @Option(names = "--parallel", defaultValue = "1", paramLabel = "K",
      description = "Requests generating at once, in turn on one device (default ${DEFAULT-VALUE}).")
  int parallel;

  @Option(names = "--queue", defaultValue = "16", paramLabel = "Q",
      description = "Requests waiting for a turn beyond --parallel (default ${DEFAULT-VALUE}); more get 429.")
  int queue;

  @Option(names = "--chat-template", paramLabel = "FILE",
      description = "Jinja chat template for /v1/chat/completions (default: the model's own).")
  Path chatTemplate;

  @Option(names = "--default-max-tokens", defaultValue = "1024", paramLabel = "K",
      description = "A chat reply's limit when the request sets no max_tokens (default ${DEFAULT-VALUE},"
          + " at most the rest of the window; completions default to OpenAI's 16).")
  int defaultMaxTokens;

  @Option(names = "--drain-seconds", defaultValue = "30", paramLabel = "S",
      description = "On shutdown, how long requests in flight may finish (default ${DEFAULT-VALUE}).")
  int drainSeconds;

  @Mixin RopeOverride rope;
  @Mixin DeviceOption device;

  @Override
  public Integer call() throws Exception {
    UserError.require(Files.isDirectory(model), "model folder not found: " + model);
    UserError.require(port >= 0 && port <= 65535, "--port must be in 0..65535, got " + port);
    UserError.require(parallel >= 1, "--parallel must be at least 1, got " + parallel);
    UserError.require(queue >= 0, "--queue must be at least 0, got " + queue);
    UserError.require(defaultMaxTokens >= 1, "--default-max-tokens must be at least 1, got " + defaultMaxTokens);
    UserError.require(drainSeconds >= 0, "--drain-seconds must be at least 0, got " + drainSeconds);
    String served = name != null ? name : model.toAbsolutePath().normalize().getFileName().toString();
    PrintStream log = System.err;
    try (Backend backend = device.open();
        ServedModel sm = ServedModel.load(model, backend, rope.spec(model), served, chatTemplate)) {
      OpenAiServer server;
      try {
        server = OpenAiServer.start(sm, host, port, parallel, queue, defaultMaxTokens, drainSeconds * 1000L, log);
      } catch (java.io.IOException e) {
        throw new UserError("cannot listen on " + host + ":" + port + " (" + e.getMessage()
            + "); choose another --port, or stop what uses it");
      }
      Runtime.getRuntime().addShutdownHook(new Thread(server::close, "cream-serve-shutdown"));
      log.printf("cream serve: %s on http://%s:%d/v1 (window %,d tokens, %s, chat template: %s, --parallel %d,"
              + " --queue %d)%n", served, host, server.port(), sm.window(), device.device, sm.hasChatTemplate() ? "yes" : "none",
          parallel, queue);
      log.flush();
      server.join();
    }
    return 0;
  }
}
