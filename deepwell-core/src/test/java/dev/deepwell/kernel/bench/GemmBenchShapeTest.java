package dev.deepwell.kernel.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GemmBenchShapeTest {

  @Test
  void cubesTriplesAndTheModelShapesParse() {
    assertThat(GemmBenchShape.parse("4096^3")).isEqualTo(new GemmBenchShape("4096^3", 4096, 4096, 4096));
    assertThat(GemmBenchShape.parse(" 16384X2304x768 ")).isEqualTo(GemmBenchShape.of(16384, 2304, 768));
    assertThat(GemmBenchShape.parseList("4096^3,8192^3,model")).isEqualTo(GemmBenchShape.DEFAULT);
    assertThat(GemmBenchShape.parseList("model")).extracting(GemmBenchShape::label).containsExactly(
        "16384x2304x768", "16384x768x768", "16384x4096x768", "16384x768x2048", "16384x32768x768");
    // Repeats are measured once.
    assertThat(GemmBenchShape.parseList("512^3,512x512x512,default")).hasSize(1 + GemmBenchShape.DEFAULT.size());
    assertThat(GemmBenchShape.cube(8).isCube()).isTrue();
    assertThat(GemmBenchShape.of(8, 8, 16).isCube()).isFalse();
  }

  @Test
  void badEntriesAreNamed() {
    assertThatThrownBy(() -> GemmBenchShape.parseList("4096^3,4096x4096"))
        .hasMessageContaining("bad shape '4096x4096'").hasMessageContaining("MxNxK");
    assertThatThrownBy(() -> GemmBenchShape.parse("0^3")).hasMessageContaining("bad shape '0^3'")
        .hasMessageContaining("out of range");
    assertThatThrownBy(() -> GemmBenchShape.parse("1x2xq")).hasMessageContaining("'q' is not a whole number");
    assertThatThrownBy(() -> GemmBenchShape.parse("4294967296^3")).hasMessageContaining("out of range");
    assertThatThrownBy(() -> GemmBenchShape.parseList("4096^3,,model")).hasMessageContaining("empty shape");
    assertThatThrownBy(() -> new GemmBenchShape("x", 1, 0, 1)).hasMessageContaining("must be >= 1");
    assertThatThrownBy(() -> new GemmBenchShape(" ", 1, 1, 1)).hasMessageContaining("label");
  }
}
