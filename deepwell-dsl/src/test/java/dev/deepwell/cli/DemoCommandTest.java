package dev.deepwell.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.deepwell.quant.QuantFormat;
import dev.deepwell.quant.QuantOptions;
import dev.deepwell.quant.Quantizer;
import dev.deepwell.quant.Quantizers;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DemoCommandTest {

  static final int R = 256;
  static final int C = 512;

  private static Map<String, JsonObject> results(CliRun r) {
    JsonArray arr = JsonParser.parseString(r.out()).getAsJsonObject().getAsJsonArray("results");
    Map<String, JsonObject> m = new HashMap<>();
    arr.forEach(e -> m.put(e.getAsJsonObject().get("format").getAsString(), e.getAsJsonObject()));
    return m;
  }

  @Test
  void reportsEveryFormatWithItsStorageCost() {
    CliRun r = CliRun.of("demo", "--rows", "" + R, "--cols", "" + C, "--json");
    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonObject root = JsonParser.parseString(r.out()).getAsJsonObject();
    assertThat(root.getAsJsonObject("hardware").has("cpu")).isTrue();
    assertThat(root.getAsJsonObject("tensor").get("rows").getAsInt()).isEqualTo(R);
    List<String> order = root.getAsJsonArray("results").asList().stream()
        .map(e -> e.getAsJsonObject().get("format").getAsString()).toList();
    assertThat(order).containsExactly("bf16", "mxfp8-e4m3", "mxfp8-e5m2", "mxfp4", "nvfp4",
        "nvfp4-2d", "fp8-tensor", "fp8-block");

    Map<String, JsonObject> m = results(r);
    double n = (double) R * C;
    // Element bytes + one scale byte per block (+ the 4-byte FP32 tensor scale where present).
    Map<String, Double> expected = Map.of(
        "bf16", 2.0,
        "mxfp8-e4m3", 1 + 1 / 32.0,
        "mxfp8-e5m2", 1 + 1 / 32.0,
        "mxfp4", 0.5 + 1 / 32.0,
        "nvfp4", 0.5 + 1 / 16.0 + 4 / n,
        "nvfp4-2d", 0.5 + 1 / 16.0 + 4 / n,
        "fp8-tensor", 1 + 4 / n,
        "fp8-block", 1 + 4 / 128.0);
    expected.forEach((f, bpe) ->
        assertThat(m.get(f).get("bytesPerElement").getAsDouble()).as(f).isEqualTo(bpe));
  }

  @Test
  void errorsMatchAnFp64ReferenceAndRankAsTheFormatsPromise() {
    CliRun r = CliRun.of("demo", "--rows", "" + R, "--cols", "" + C, "--seed", "7", "--json");
    Map<String, JsonObject> m = results(r);

    // Recompute one format's figures independently from the quantizer API, in FP64.
    float[] x = SyntheticActivations.generate(R, C, 7);
    Quantizer q = Quantizers.forFormat(QuantFormat.NVFP4);
    float[] y = q.dequantize(q.quantize(x, R, C, QuantOptions.defaults()));
    double sig = 0;
    double noise = 0;
    double max = 0;
    for (int i = 0; i < x.length; i++) {
      sig += (double) x[i] * x[i];
      noise += ((double) x[i] - y[i]) * ((double) x[i] - y[i]);
      max = Math.max(max, Math.abs((double) x[i] - y[i]));
    }
    JsonObject nv = m.get("nvfp4");
    assertThat(nv.get("relativeRmsError").getAsDouble()).isCloseTo(Math.sqrt(noise / sig),
        within(1e-12));
    assertThat(nv.get("sqnrDb").getAsDouble()).isCloseTo(10 * Math.log10(sig / noise),
        within(1e-9));
    assertThat(nv.get("maxAbsError").getAsDouble()).isEqualTo(max);

    for (JsonObject o : m.values()) assertThat(o.get("nonFinite").getAsLong()).isZero();
    double bf16 = m.get("bf16").get("sqnrDb").getAsDouble();
    double e4m3 = m.get("mxfp8-e4m3").get("sqnrDb").getAsDouble();
    double e5m2 = m.get("mxfp8-e5m2").get("sqnrDb").getAsDouble();
    double mxfp4 = m.get("mxfp4").get("sqnrDb").getAsDouble();
    double nvfp4 = m.get("nvfp4").get("sqnrDb").getAsDouble();
    // Only orderings that hold for any data are checked. (Across scaling schemes the ranking
    // depends on the tensor: its energy sits in a few outliers, and a scheme that maps a block's
    // maximum exactly, like fp8-block or nvfp4, can beat one with more mantissa bits.)
    // BF16 keeps 8 significant bits: relative rounding error <= 2^-9, SQNR around 50 dB.
    assertThat(bf16).isBetween(45.0, 60.0);
    // Same E8M0 block scales, fewer mantissa bits, more error: E4M3 (3) > E5M2 (2) > E2M1 (1).
    assertThat(e4m3).isGreaterThan(e5m2);
    assertThat(e5m2).isGreaterThan(mxfp4);
    assertThat(bf16).isGreaterThan(e4m3 + 15);
    // NVFP4's 16-element blocks with UE4M3 scales track the data more closely than MXFP4's 32.
    assertThat(nvfp4).isGreaterThan(mxfp4);
  }

  @Test
  void sameSeedSameErrorsAndTheHumanTableListsEveryFormat() {
    Map<String, JsonObject> a = results(CliRun.of("demo", "--rows", "128", "--cols", "256",
        "--json"));
    Map<String, JsonObject> b = results(CliRun.of("demo", "--rows", "128", "--cols", "256",
        "--json"));
    for (String f : a.keySet()) {
      assertThat(a.get(f).get("relativeRmsError").getAsDouble())
          .isEqualTo(b.get(f).get("relativeRmsError").getAsDouble());
    }
    CliRun human = CliRun.of("demo", "--rows", "128", "--cols", "256", "--axis", "col");
    assertThat(human.exitCode()).as(human.err()).isZero();
    assertThat(human.out()).contains("CPU  ", "B/elem", "SQNR dB", "axis col");
    for (String f : a.keySet()) assertThat(human.out()).contains("\n" + f + " ");
  }

  @Test
  void shapesTheFormatsCannotBlockAreUsageErrors() {
    CliRun r = CliRun.of("demo", "--rows", "128", "--cols", "100");
    assertThat(r.exitCode()).isEqualTo(DeepwellCli.EXIT_USAGE);
    assertThat(r.errLines()).singleElement().asString()
        .startsWith("deepwell demo: --cols 100 must be a multiple of 128");
    CliRun col = CliRun.of("demo", "--rows", "100", "--cols", "128", "--axis", "col");
    assertThat(col.errLines()).singleElement().asString().contains("--rows 100");
    assertThat(CliRun.of("demo", "--rows", "-1").exitCode()).isEqualTo(DeepwellCli.EXIT_USAGE);
  }
}
