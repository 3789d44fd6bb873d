package dev.deepwell.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.deepwell.format.ElementFormat;
import dev.deepwell.quant.Axis;
import dev.deepwell.quant.Fp8BlockShape;
import dev.deepwell.quant.QuantFormat;
import dev.deepwell.quant.QuantOptions;
import dev.deepwell.quant.QuantizedTensor;
import dev.deepwell.quant.Quantizer;
import dev.deepwell.quant.Quantizers;
import dev.deepwell.quant.ScaleLayout;
import dev.deepwell.quant.ScaleRule;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class QuantizeCommandTest {

  static final int ROWS = 128;
  static final int COLS = 256;

  @TempDir Path dir;

  /** Seeded Gaussian values with a few extremes, written as little-endian FP32 by hand. */
  static float[] input(int rows, int cols, long seed) {
    Random rnd = new Random(seed);
    float[] x = new float[rows * cols];
    for (int i = 0; i < x.length; i++) x[i] = (float) (rnd.nextGaussian() * 3);
    x[7] = 0f;
    x[8] = -0f;
    x[9] = 1e-30f;
    x[10] = 5000f;
    x[11] = -70000f;
    return x;
  }

  static Path writeLe(Path file, float[] x) throws IOException {
    byte[] bytes = new byte[x.length * 4];
    for (int i = 0; i < x.length; i++) {
      int b = Float.floatToRawIntBits(x[i]);
      bytes[4 * i] = (byte) b;
      bytes[4 * i + 1] = (byte) (b >>> 8);
      bytes[4 * i + 2] = (byte) (b >>> 16);
      bytes[4 * i + 3] = (byte) (b >>> 24);
    }
    return Files.write(file, bytes);
  }

  static float[] readLe(Path file) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    float[] y = new float[b.remaining() / 4];
    b.asFloatBuffer().get(y);
    return y;
  }

  private CliRun quantize(Path in, String prefix, String... extra) {
    List<String> args = new ArrayList<>(List.of("quantize", "--rows", "" + ROWS,
        "--cols", "" + COLS, "--in", in.toString(), "--out", prefix));
    args.addAll(List.of(extra));
    return CliRun.of(args.toArray(String[]::new));
  }

  private void assertFilesMatchApi(String prefix, float[] x, QuantFormat f, QuantOptions o,
      boolean dequant) throws IOException {
    Quantizer quantizer = Quantizers.forFormat(f);
    QuantizedTensor q = quantizer.quantize(x, ROWS, COLS, o);
    assertThat(Files.readAllBytes(Path.of(prefix + ".data"))).isEqualTo(q.data());
    assertThat(Files.readAllBytes(Path.of(prefix + ".scales"))).isEqualTo(q.scales());
    if (dequant) {
      float[] expected = quantizer.dequantize(q);
      float[] actual = readLe(Path.of(prefix + ".deq.f32"));
      assertThat(actual).hasSize(expected.length);
      for (int i = 0; i < expected.length; i++) {
        assertThat(Float.floatToRawIntBits(actual[i]))
            .as("element %d", i).isEqualTo(Float.floatToRawIntBits(expected[i]));
      }
    } else {
      assertThat(Path.of(prefix + ".deq.f32")).doesNotExist();
    }
    JsonObject json = JsonParser.parseString(Files.readString(Path.of(prefix + ".json")))
        .getAsJsonObject();
    assertThat(json.get("format").getAsString()).isEqualTo(f.cliName());
    assertThat(json.get("rows").getAsInt()).isEqualTo(ROWS);
    assertThat(json.get("cols").getAsInt()).isEqualTo(COLS);
    assertThat(json.get("axis").getAsString()).isEqualTo(o.axis() == Axis.ROW ? "row" : "col");
    JsonObject data = json.getAsJsonObject("data");
    assertThat(data.get("bytes").getAsInt()).isEqualTo(q.data().length);
    assertThat(data.getAsJsonArray("shape").get(0).getAsInt()).isEqualTo(q.storedRows());
    assertThat(data.getAsJsonArray("shape").get(1).getAsInt()).isEqualTo(q.storedCols());
    JsonObject scales = json.getAsJsonObject("scales");
    assertThat(scales.get("bytes").getAsInt()).isEqualTo(q.scales().length);
    assertThat(scales.getAsJsonArray("shape").get(0).getAsInt()).isEqualTo(q.scaleRows());
    assertThat(scales.getAsJsonArray("shape").get(1).getAsInt()).isEqualTo(q.scaleCols());
    assertThat(json.get("tensorScale").getAsFloat()).isEqualTo(q.tensorScale());
    assertThat(json.get("tensorScaleBits").getAsString())
        .isEqualTo(String.format("0x%08x", Float.floatToRawIntBits(q.tensorScale())));
    assertThat(json.get("stochasticRounding").getAsBoolean()).isEqualTo(o.stochasticRounding());
  }

  @ParameterizedTest
  @EnumSource(QuantFormat.class)
  void everyFormatAlongRowsWritesExactlyWhatTheApiProduces(QuantFormat f) throws IOException {
    float[] x = input(ROWS, COLS, 1);
    Path in = writeLe(dir.resolve("x.f32"), x);
    String prefix = dir.resolve("out/" + f.cliName()).toString();
    CliRun r = quantize(in, prefix, "--format", f.cliName(), "--dequant");
    assertThat(r.err()).isEmpty();
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains(f.cliName(), prefix + ".data", prefix + ".json");
    assertFilesMatchApi(prefix, x, f, QuantOptions.defaults(), true);
  }

  @ParameterizedTest
  @EnumSource(QuantFormat.class)
  void everyFormatAlongColumnsStoresTheTransposedCopy(QuantFormat f) throws IOException {
    float[] x = input(ROWS, COLS, 2);
    Path in = writeLe(dir.resolve("x.f32"), x);
    String prefix = dir.resolve(f.cliName() + "-col").toString();
    CliRun r = quantize(in, prefix, "--format", f.cliName(), "--axis", "col");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertFilesMatchApi(prefix, x, f, QuantOptions.builder().axis(Axis.COL).build(), false);
    JsonObject json = JsonParser.parseString(Files.readString(Path.of(prefix + ".json")))
        .getAsJsonObject();
    assertThat(json.getAsJsonObject("data").getAsJsonArray("shape").get(0).getAsInt())
        .isEqualTo(COLS);
    assertThat(json.getAsJsonObject("data").get("order").getAsString()).contains("transposed");
  }

  @Test
  void mxOptionsReachTheQuantizer() throws IOException {
    float[] x = input(ROWS, COLS, 3);
    Path in = writeLe(dir.resolve("x.f32"), x);
    String prefix = dir.resolve("mx").toString();
    CliRun r = quantize(in, prefix, "--format", "mxfp4", "--scale-rule", "ocp",
        "--scale-layout", "swizzled", "--stochastic", "--seed", "77", "--dequant");
    assertThat(r.exitCode()).as(r.err()).isZero();
    QuantOptions o = QuantOptions.builder().scaleRule(ScaleRule.OCP)
        .scaleLayout(ScaleLayout.SWIZZLED_128X4).stochasticRounding(true).seed(77).build();
    assertFilesMatchApi(prefix, x, QuantFormat.MXFP4, o, true);
    JsonObject json = JsonParser.parseString(Files.readString(Path.of(prefix + ".json")))
        .getAsJsonObject();
    assertThat(json.get("scaleRule").getAsString()).isEqualTo("ocp");
    assertThat(json.get("seed").getAsLong()).isEqualTo(77);
    JsonObject scales = json.getAsJsonObject("scales");
    assertThat(scales.get("layout").getAsString()).isEqualTo("swizzled");
    assertThat(scales.get("encoding").getAsString())
        .isEqualTo(ElementFormat.E8M0.displayName() + ", one byte per scale");
    // [128, 256/32 = 8] scales pad to [128, 8]: one row band of two 128x4 tiles.
    assertThat(scales.getAsJsonArray("paddedShape").toString()).isEqualTo("[128,8]");
    assertThat(scales.get("bytes").getAsInt()).isEqualTo(1024);

    // A different seed changes the stochastic rounding.
    String other = dir.resolve("mx-seed78").toString();
    assertThat(quantize(in, other, "--format", "mxfp4", "--stochastic", "--seed", "78")
        .exitCode()).isZero();
    String same = dir.resolve("mx-seed77").toString();
    assertThat(quantize(in, same, "--format", "mxfp4", "--stochastic", "--seed", "77")
        .exitCode()).isZero();
    assertThat(Files.readAllBytes(Path.of(other + ".data")))
        .isNotEqualTo(Files.readAllBytes(Path.of(same + ".data")));
  }

  @Test
  void fp8WeightBlocksAndNvfp4HadamardReachTheQuantizer() throws IOException {
    float[] x = input(ROWS, COLS, 4);
    Path in = writeLe(dir.resolve("x.f32"), x);
    String fp8 = dir.resolve("fp8w").toString();
    assertThat(quantize(in, fp8, "--format", "fp8-block", "--fp8-block", "128x128").exitCode())
        .isZero();
    assertFilesMatchApi(fp8, x, QuantFormat.FP8_BLOCK,
        QuantOptions.builder().fp8BlockShape(Fp8BlockShape.WEIGHT_128X128).build(), false);
    JsonObject json = JsonParser.parseString(Files.readString(Path.of(fp8 + ".json")))
        .getAsJsonObject();
    assertThat(json.getAsJsonObject("scales").get("block").getAsString()).isEqualTo("128x128");
    assertThat(json.getAsJsonObject("scales").get("encoding").getAsString()).contains("FP32");
    assertThat(json.get("scaleRule").isJsonNull()).isTrue();

    String nv = dir.resolve("nvh").toString();
    assertThat(quantize(in, nv, "--format", "nvfp4", "--hadamard", "--seed", "5", "--dequant")
        .exitCode()).isZero();
    assertFilesMatchApi(nv, x, QuantFormat.NVFP4,
        QuantOptions.builder().hadamard16(true).seed(5).build(), true);
  }

  @Test
  void fp4DataHoldsTwoCodesPerByteLowNibbleFirst() throws IOException {
    // Row 0 starts 0.5, 6, -1, 0...: amax 6 gives the MXFP4 block the scale 2^0 (6 / 6 rounded
    // up), so the E2M1 codes are 0.5 -> 0x1, 6 -> 0x7, -1 -> 0xA: byte 0 is 0x71, byte 1 0x0A.
    float[] x = new float[ROWS * COLS];
    x[0] = 0.5f;
    x[1] = 6f;
    x[2] = -1f;
    Path in = writeLe(dir.resolve("x.f32"), x);
    String prefix = dir.resolve("nib").toString();
    CliRun r = CliRun.of("quantize", "--format", "mxfp4", "--rows", "" + ROWS, "--cols",
        "" + COLS, "--in", in.toString(), "--out", prefix);
    assertThat(r.exitCode()).as(r.err()).isZero();
    byte[] data = Files.readAllBytes(Path.of(prefix + ".data"));
    assertThat(data).hasSize(ROWS * COLS / 2);
    assertThat(data[0] & 0xFF).isEqualTo(0x71);
    assertThat(data[1] & 0xFF).isEqualTo(0x0A);
  }

  @Test
  void missingInputIsOneLineAndExitCodeOne() {
    CliRun r = quantize(dir.resolve("absent.f32"), dir.resolve("o").toString(),
        "--format", "nvfp4");
    assertThat(r.exitCode()).isEqualTo(DeepwellCli.EXIT_FAILURE);
    assertThat(r.errLines()).singleElement().asString()
        .isEqualTo("deepwell quantize: no such file: " + dir.resolve("absent.f32"));
    assertThat(dir.resolve("o.data")).doesNotExist();
  }

  @Test
  void wrongLengthSaysWhatTheFileHoldsAndWhatWasNeeded() throws IOException {
    Path in = writeLe(dir.resolve("short.f32"), new float[1000]);
    CliRun r = quantize(in, dir.resolve("o").toString(), "--format", "nvfp4");
    assertThat(r.exitCode()).isEqualTo(DeepwellCli.EXIT_FAILURE);
    assertThat(r.errLines()).singleElement().asString()
        .startsWith("deepwell quantize: ")
        .contains("holds 1000 floats (4000 bytes)")
        .contains("needs " + ROWS * COLS + " floats");

    Path ragged = Files.write(dir.resolve("ragged.f32"), new byte[4 * ROWS * COLS - 2]);
    CliRun r2 = quantize(ragged, dir.resolve("o").toString(), "--format", "nvfp4");
    assertThat(r2.exitCode()).isEqualTo(DeepwellCli.EXIT_FAILURE);
    assertThat(r2.errLines()).singleElement().asString()
        .contains("not a whole number of FP32 values");
  }

  @Test
  void unknownFormatIsAUsageErrorListingTheValidOnes() throws IOException {
    Path in = writeLe(dir.resolve("x.f32"), input(ROWS, COLS, 5));
    CliRun r = quantize(in, dir.resolve("o").toString(), "--format", "int4");
    assertThat(r.exitCode()).isEqualTo(DeepwellCli.EXIT_USAGE);
    assertThat(r.errLines()).singleElement().asString()
        .startsWith("deepwell quantize: ")
        .contains("'int4'")
        .contains("mxfp8-e4m3, mxfp8-e5m2, mxfp4, nvfp4, nvfp4-2d, fp8-tensor, fp8-block");
  }

  @Test
  void blockedDimensionNotDivisibleByTheBlockIsOneClearLine() throws IOException {
    int cols = 48; // divisible by 16 (nvfp4) but not by 32 (mx)
    Path in = writeLe(dir.resolve("x48.f32"), new float[ROWS * cols]);
    CliRun r = CliRun.of("quantize", "--format", "mxfp8-e4m3", "--rows", "" + ROWS, "--cols",
        "" + cols, "--in", in.toString(), "--out", dir.resolve("o").toString());
    assertThat(r.exitCode()).isEqualTo(DeepwellCli.EXIT_FAILURE);
    assertThat(r.errLines()).singleElement().asString()
        .startsWith("deepwell quantize: ")
        .contains("cols (48)")
        .contains("block size 32");
    assertThat(r.err()).doesNotContain("\tat ");
    CliRun ok = CliRun.of("quantize", "--format", "nvfp4", "--rows", "" + ROWS, "--cols",
        "" + cols, "--in", in.toString(), "--out", dir.resolve("o").toString());
    assertThat(ok.exitCode()).as(ok.err()).isZero();
  }

  @Test
  void verboseAddsTheStackTrace() throws IOException {
    CliRun r = quantize(dir.resolve("absent.f32"), dir.resolve("o").toString(),
        "--format", "nvfp4", "--verbose");
    assertThat(r.exitCode()).isEqualTo(DeepwellCli.EXIT_FAILURE);
    assertThat(r.errLines().get(0)).startsWith("deepwell quantize: no such file");
    assertThat(r.err()).contains("NoSuchFileException", "\tat ");
  }

  @Test
  void optionsThatDoNotApplyToTheFormatAreUsageErrors() throws IOException {
    Path in = writeLe(dir.resolve("x.f32"), input(ROWS, COLS, 6));
    String o = dir.resolve("o").toString();
    assertUsageError(quantize(in, o, "--format", "mxfp4", "--fp8-block", "128x128"),
        "--fp8-block applies only to --format fp8-block");
    assertUsageError(quantize(in, o, "--format", "fp8-tensor", "--scale-layout", "swizzled"),
        "--scale-layout swizzled applies only");
    assertUsageError(quantize(in, o, "--format", "nvfp4", "--scale-rule", "ocp"),
        "--scale-rule applies only to the MX formats");
    assertUsageError(quantize(in, o, "--format", "mxfp4", "--hadamard"),
        "--hadamard applies only to nvfp4");
    assertUsageError(quantize(in, o, "--format", "mxfp4", "--seed", "3"),
        "--seed has no effect");
    assertUsageError(quantize(in, o, "--format", "mxfp4", "--axis", "diagonal"),
        "'diagonal' is not an axis");
    assertUsageError(quantize(in, o, "--format", "mxfp4", "--scale-layout", "tiled"),
        "use rowmajor or swizzled");
    assertUsageError(CliRun.of("quantize", "--format", "mxfp4", "--rows", "0", "--cols", "32",
        "--in", in.toString(), "--out", o), "--rows must be > 0");
    assertUsageError(CliRun.of("quantize", "--format", "mxfp4", "--rows", "x", "--cols", "32",
        "--in", in.toString(), "--out", o), "--rows");
    assertUsageError(CliRun.of("quantize", "--format", "mxfp4", "--in", in.toString()),
        "Missing required options");
    assertThat(dir.resolve("o.data")).doesNotExist();
  }

  private static void assertUsageError(CliRun r, String fragment) {
    assertThat(r.exitCode()).as(r.err()).isEqualTo(DeepwellCli.EXIT_USAGE);
    assertThat(r.errLines()).singleElement().asString()
        .startsWith("deepwell quantize: ")
        .contains(fragment);
  }
}
