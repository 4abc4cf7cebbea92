package io.cream.positions;

import java.util.Arrays;
import java.util.Objects;

/**
 * One sample's position ids and the random choices that produced them. Fields that do not apply to
 * a method are null.
 *
 * <table>
 *   <caption>What the fields mean per method</caption>
 *   <tr><th>field</th><th>CREAM</th><th>PoSE</th><th>RandPos, Contiguous</th></tr>
 *   <tr><td>branch</td><td>0 relativity (H = ⌊N/3⌋), 1 continuity (H = 4f)</td><td>null</td><td>null</td></tr>
 *   <tr><td>head</td><td>H: ids 0 … H−1</td><td>rt1, the first chunk's length: ids 0 … rt1−1</td><td>null</td></tr>
 *   <tr><td>tail</td><td>T = H: ids S−T … S−1</td><td>null</td><td>null</td></tr>
 *   <tr><td>ratioR</td><td>r ∈ {2 … 2f}, expansion ratio α = r/2</td><td>null</td><td>null</td></tr>
 *   <tr><td>middleStart</td><td>P_s = P_e − L_m + 1</td><td>rt1 + rt, the second chunk's first id (rt = skip)</td><td>null</td></tr>
 *   <tr><td>middleEnd</td><td>P_e</td><td>N − 1 + rt, the second chunk's last id</td><td>null</td></tr>
 * </table>
 *
 * <p>{@code positions} always holds N strictly increasing ids in [0, S). The array is shared, not
 * copied (samples are made by the thousand): treat it as read-only. Equality compares its contents.
 */
public record PositionSample(
    PositionMethod method,
    Integer branch,
    Integer head,
    Integer tail,
    Integer ratioR,
    Integer middleStart,
    Integer middleEnd,
    int[] positions) {

  public PositionSample {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(positions, "positions");
  }

  /** N, the number of positions (and tokens) in the sample. */
  public int length() {
    return positions.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PositionSample s
        && method == s.method
        && Objects.equals(branch, s.branch)
        && Objects.equals(head, s.head)
        && Objects.equals(tail, s.tail)
        && Objects.equals(ratioR, s.ratioR)
        && Objects.equals(middleStart, s.middleStart)
        && Objects.equals(middleEnd, s.middleEnd)
        && Arrays.equals(positions, s.positions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(method, branch, head, tail, ratioR, middleStart, middleEnd)
        * 31 + Arrays.hashCode(positions);
  }

  @Override
  public String toString() {
    int n = positions.length;
    String ids = n <= 8 ? Arrays.toString(positions)
        : "[" + positions[0] + ", " + positions[1] + ", … " + positions[n - 1] + "] (" + n + " ids)";
    return "PositionSample[method=" + method.cliName() + ", branch=" + branch + ", head=" + head
        + ", tail=" + tail + ", ratioR=" + ratioR + ", middleStart=" + middleStart
        + ", middleEnd=" + middleEnd + ", positions=" + ids + "]";
  }
}
