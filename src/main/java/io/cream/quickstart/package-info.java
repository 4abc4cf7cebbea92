/**
 * `cream quickstart`: pre-train a small model at a short window, extend it with PoSE and with CREAM,
 * and compare perplexity and passkey retrieval at 1× and 8× the window, with a report.
 */
package io.cream.quickstart;
