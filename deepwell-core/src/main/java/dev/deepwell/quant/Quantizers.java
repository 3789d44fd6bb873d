package dev.deepwell.quant;

import java.util.EnumMap;
import java.util.Map;

/** The reference (CPU) quantizer of each {@link QuantFormat}. */
public final class Quantizers {

  private static final Map<QuantFormat, Quantizer> BY_FORMAT = build();

  private Quantizers() {}

  /** The shared, stateless reference quantizer of {@code format}. */
  public static Quantizer forFormat(QuantFormat format) {
    if (format == null) {
      throw new IllegalArgumentException("format must not be null");
    }
    return BY_FORMAT.get(format);
  }

  private static Map<QuantFormat, Quantizer> build() {
    Map<QuantFormat, Quantizer> m = new EnumMap<>(QuantFormat.class);
    for (QuantFormat f : QuantFormat.values()) {
      switch (f) {
        case MXFP8_E4M3:
        case MXFP8_E5M2:
        case MXFP4:
          m.put(f, new MxQuantizer(f));
          break;
        case NVFP4:
        case NVFP4_2D:
          m.put(f, new Nvfp4Quantizer(f));
          break;
        case FP8_TENSOR:
          m.put(f, new Fp8TensorQuantizer());
          break;
        case FP8_BLOCK:
          m.put(f, new Fp8BlockQuantizer());
          break;
        default:
          throw new AssertionError("no quantizer for " + f);
      }
    }
    return m;
  }
}
