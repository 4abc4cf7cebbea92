/**
 * Where training position ids come from. A {@link io.cream.positions.PositionSampler} (made by
 * {@code PositionSampler.create}) draws one sample's N position ids inside the target window
 * [0, f·N) for a {@link io.cream.positions.PositionMethod} — CREAM (head, Gaussian-placed middle,
 * tail), PoSE, RandPos or contiguous — and picks the document tokens that go with them. CREAM's
 * pieces are separately testable: {@link io.cream.positions.CreamRatio} (the law of the expansion
 * ratio) and {@link io.cream.positions.CreamPositions} (ids from injected choices). Which ids
 * sample i of a seeded run gets, per sample or with a branch shared per batch, is defined once, by
 * {@link io.cream.positions.SampleStream}: the trainer and {@code cream positions} both use it, so
 * they agree exactly.
 */
package io.cream.positions;
