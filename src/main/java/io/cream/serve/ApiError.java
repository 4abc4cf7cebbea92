package io.cream.serve;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.util.Json;

/**
 * A request the server answers with an error, in OpenAI's shape:
 * {@code {"error": {"message", "type", "param", "code"}}} with an HTTP status. Clients (the openai
 * SDKs) read the message and type from there, so every refusal goes through this.
 */
public final class ApiError extends RuntimeException {
  private final int status;
  private final String type;
  private final String param;
  private final String code;

  public ApiError(int status, String type, String param, String code, String message) {
    super(message);
    this.status = status;
    this.type = type;
    this.param = param;
    this.code = code;
  }

  /** 400: something in the request is wrong; param names the field, when one is to blame. */
  public static ApiError invalid(String param, String message) {
    return new ApiError(400, "invalid_request_error", param, null, message);
  }

  /** 400 for a field cream does not support (as opposed to a malformed one). */
  public static ApiError unsupported(String param, String message) {
    return new ApiError(400, "invalid_request_error", param, "unsupported_parameter", message);
  }

  public int status() {
    return status;
  }

  public String type() {
    return type;
  }

  public ObjectNode toJson() {
    ObjectNode error = Json.object();
    error.put("message", getMessage());
    error.put("type", type);
    if (param == null) error.putNull("param"); else error.put("param", param);
    if (code == null) error.putNull("code"); else error.put("code", code);
    ObjectNode body = Json.object();
    body.set("error", error);
    return body;
  }
}
