/**
 * `cream quickstart`: take the shipped base model, extend it 8× with PoSE and with CREAM on the CPU,
 * and compare perplexity and passkey retrieval at 1× and 8× the window (a small compare plan), with
 * a report.
 */
package io.cream.quickstart;
