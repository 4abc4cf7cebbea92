/**
 * Training runs: samples from documents and a position strategy (SampleSource, a pure function of
 * seed and index), the run's setup (TrainSetup), the optimizer loop (Trainer) and its step
 * (TrainStep: gradient accumulation, global-norm clipping and AdamW through the TrainState; the
 * step the training benchmark times too), the learning-rate schedule, the metrics log, and
 * checkpoints that are complete Hugging Face folders plus optimizer state, written under a
 * temporary name and renamed, so a killed run resumes exactly. A run holds its output folder
 * (RunLock), removes what killed saves left there (Leftovers), and resumes only with the settings
 * it started with (RunSettings); see docs/guarantees.md.
 */
package io.cream.train;
