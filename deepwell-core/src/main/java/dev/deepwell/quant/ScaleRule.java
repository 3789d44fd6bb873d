package dev.deepwell.quant;

/**
 * How an MX block's shared E8M0 scale is chosen from the block's absolute maximum {@code amax}.
 *
 * <ul>
 *   <li>{@link #OCP}: OCP Microscaling Formats v1.0, section 6.3: shared exponent
 *       {@code floor(log2(amax)) - emax}, where {@code emax} is the exponent of the element
 *       format's largest normal (8 for E4M3, 15 for E5M2, 2 for E2M1). Values in the block's top
 *       binade can exceed the element maximum and saturate.
 *   <li>{@link #CEIL}: what NVIDIA's libraries do (cuBLAS, TransformerEngine "RCEIL"): the scale
 *       is {@code amax / elementMax} rounded <em>up</em> to a power of two, computed in float, so
 *       no element saturates (at the cost of up to one binade of range at the bottom).
 * </ul>
 *
 * Both are ignored by formats that are not MX.
 */
public enum ScaleRule {
  OCP,
  CEIL
}
