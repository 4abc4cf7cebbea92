/**
 * `cream compare`: the paper's comparison as one resumable command. {@link
 * io.cream.compare.ComparePlan} is PLAN.json resolved (read by PlanParser, every mistake one line);
 * {@link io.cream.compare.Unit} the fine-tunes and evaluations it implies; {@link
 * io.cream.compare.Scheduler} takes them one by one, claiming each with an OS file lock ({@link
 * io.cream.compare.Claims}) so that several processes can share one output folder; {@link
 * io.cream.compare.Summary} and SummaryWriter turn the results into the tables, CompareReport into
 * report.html. The folder's layout is {@link io.cream.compare.Layout}; docs/compare.md is the
 * user's guide.
 */
package io.cream.compare;
