package io.cream.data;

/**
 * One training or evaluation document: its id (the path relative to the source folder, with
 * {@code #line} appended for a line of a .jsonl file) and its text.
 */
public record Document(String id, String text) {}
