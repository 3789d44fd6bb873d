package dev.deepwell.gpu.quant;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deepwell.quant.QuantFormat;
import dev.deepwell.quant.QuantOptions;
import org.junit.jupiter.api.Test;

/** The checks of the given-amax methods that need no GPU: which formats and options, and where the amax may sit. */
class GivenAmaxValidationTest {

  @Test
  void onlyFormatsWithATensorScaleTakeAGivenAmax() {
    QuantOptions o = QuantOptions.defaults();
    for (QuantFormat f : new QuantFormat[] {QuantFormat.NVFP4, QuantFormat.NVFP4_2D, QuantFormat.FP8_TENSOR}) {
      assertThatCode(() -> MicroscaleManager.checkGivenAmaxFormat(f, o)).doesNotThrowAnyException();
    }
    for (QuantFormat f : new QuantFormat[] {QuantFormat.MXFP8_E4M3, QuantFormat.MXFP8_E5M2, QuantFormat.MXFP4,
        QuantFormat.FP8_BLOCK}) {
      assertThatThrownBy(() -> MicroscaleManager.checkGivenAmaxFormat(f, o))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("only to formats with a tensor scale")
          .hasMessageContaining(f.cliName());
    }
  }

  @Test
  void theHadamardTransformNeedsItsOwnAmaxes() {
    QuantOptions had = QuantOptions.defaults().toBuilder().hadamard16(true).seed(7).build();
    assertThatThrownBy(() -> MicroscaleManager.checkGivenAmaxFormat(QuantFormat.NVFP4, had))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hadamard16");
    assertThatThrownBy(() -> MicroscaleManager.checkGivenAmaxFormat(QuantFormat.NVFP4_2D, had))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hadamard16");
  }

  @Test
  void nullsAreNamed() {
    assertThatThrownBy(() -> MicroscaleManager.checkGivenAmaxFormat(null, QuantOptions.defaults()))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("format");
    assertThatThrownBy(() -> MicroscaleManager.checkGivenAmaxFormat(QuantFormat.NVFP4, null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("options");
  }

  @Test
  void theAmaxMustBeFourAlignedBytesInsideItsBuffer() {
    long base = 0x7f00_0000_0000L;  // 256-byte aligned, as device allocations are
    assertThatCode(() -> MicroscaleManager.checkAmaxLocation(256, base, 0)).doesNotThrowAnyException();
    assertThatCode(() -> MicroscaleManager.checkAmaxLocation(256, base, 252)).doesNotThrowAnyException();
    assertThatCode(() -> MicroscaleManager.checkAmaxLocation(4, base, 0)).doesNotThrowAnyException();
    assertThatThrownBy(() -> MicroscaleManager.checkAmaxLocation(256, base, 253))
        .isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("amaxOffset 253");
    assertThatThrownBy(() -> MicroscaleManager.checkAmaxLocation(256, base, -4))
        .isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("amaxOffset -4");
    assertThatThrownBy(() -> MicroscaleManager.checkAmaxLocation(3, base, 0))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> MicroscaleManager.checkAmaxLocation(256, base, 6))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4-byte aligned");
    assertThatThrownBy(() -> MicroscaleManager.checkAmaxLocation(256, base + 2, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4-byte aligned");
  }
}
