package dev.deepwell.gpu.gemm;

import dev.deepwell.quant.QuantFormat;
import dev.deepwell.quant.QuantOptions;
import java.util.Objects;

/** What quantized the data of an operand: checked against the problem's input format. */
record QuantTag(QuantFormat format, QuantOptions options) {
  QuantTag {
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(options, "options");
  }
}
