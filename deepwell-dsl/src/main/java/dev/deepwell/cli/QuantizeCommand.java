package dev.deepwell.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
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
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code deepwell quantize}: quantizes a raw little-endian FP32 matrix with the CPU reference
 * quantizer and writes the packed elements, the scales, a JSON description and optionally the
 * dequantized FP32 values.
 */
@Command(
    name = "quantize",
    mixinStandardHelpOptions = true,
    versionProvider = VersionCommand.Provider.class,
    sortOptions = false,
    description = {
      "Quantizes a row-major [rows, cols] little-endian FP32 file with the CPU reference quantizer.",
      "Writes PREFIX.data (packed elements; FP4 two per byte, low nibble first), PREFIX.scales"
          + " (E8M0/UE4M3 bytes, or FP32 little-endian for fp8-block; empty for fp8-tensor),"
          + " PREFIX.json (format, shape, axis, layouts, scale shape, tensor scale) and, with"
          + " --dequant, PREFIX.deq.f32.",
      "With --axis col the blocks run down the columns and the data is stored transposed,"
          + " [cols, rows]."
    })
final class QuantizeCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--format", required = true, paramLabel = "F",
      converter = FormatConverter.class,
      description = "mxfp8-e4m3, mxfp8-e5m2, mxfp4, nvfp4, nvfp4-2d, fp8-tensor or fp8-block.")
  QuantFormat format;

  @Option(names = "--rows", required = true, paramLabel = "R", description = "Rows of the input.")
  int rows;

  @Option(names = "--cols", required = true, paramLabel = "C",
      description = "Columns of the input.")
  int cols;

  @Option(names = "--axis", paramLabel = "row|col", defaultValue = "row",
      converter = AxisConverter.class,
      description = "Direction of the scale blocks (default: ${DEFAULT-VALUE}).")
  Axis axis;

  @Option(names = "--scale-rule", paramLabel = "ocp|ceil", converter = ScaleRuleConverter.class,
      description = "MX formats only: OCP v1.0 shared exponent, or round the scale up so no"
          + " element saturates (default: ceil).")
  ScaleRule scaleRule;

  @Option(names = "--scale-layout", paramLabel = "rowmajor|swizzled",
      converter = ScaleLayoutConverter.class,
      description = "Layout of one-byte block scales: row-major or the 128x4 swizzled layout of"
          + " sm_100 block-scaled GEMMs (default: rowmajor).")
  ScaleLayout scaleLayout;

  @Option(names = "--fp8-block", paramLabel = "1x128|128x128",
      converter = Fp8BlockConverter.class,
      description = "fp8-block only: 1x128 (activations) or 128x128 (weights) scale tiles"
          + " (default: 1x128).")
  Fp8BlockShape fp8Block;

  @Option(names = "--stochastic", description = "Stochastic rounding (Philox4x32-10 stream).")
  boolean stochastic;

  @Option(names = "--hadamard",
      description = "nvfp4/nvfp4-2d only: 16-point random Hadamard transform before quantizing.")
  boolean hadamard;

  @Option(names = "--seed", paramLabel = "S",
      description = "Seed of the random streams of --stochastic and --hadamard (default: 0).")
  Long seed;

  @Option(names = "--in", required = true, paramLabel = "x.f32",
      description = "Input: rows*cols little-endian FP32 values, row-major.")
  Path in;

  @Option(names = "--out", required = true, paramLabel = "PREFIX",
      description = "Output prefix; PREFIX.data, PREFIX.scales and PREFIX.json are written.")
  String out;

  @Option(names = "--dequant", description = "Also write the dequantized values to PREFIX.deq.f32.")
  boolean dequant;

  @Override
  public Integer call() throws IOException {
    QuantOptions options = options();
    float[] x = FloatFiles.read(in, rows, cols);
    Quantizer quantizer = Quantizers.forFormat(format);
    QuantizedTensor q = quantizer.quantize(x, rows, cols, options);

    OutputFiles files = OutputFiles.forPrefix(out, dequant);
    Path parent = files.data.toAbsolutePath().getParent();
    if (parent != null) Files.createDirectories(parent);
    Files.write(files.data, q.data());
    Files.write(files.scales, q.scales());
    if (dequant) {
      FloatFiles.write(files.deq, quantizer.dequantize(q));
    }
    Files.writeString(files.json, Json.PRETTY.toJson(describe(q, files)) + "\n",
        StandardCharsets.UTF_8);

    PrintWriter w = spec.commandLine().getOut();
    w.printf(Locale.ROOT, "%s [%d, %d] axis %s -> %s (%d bytes), %s (%d bytes [%d, %d] %s)%s%s%n",
        format.cliName(), rows, cols, lower(axis), files.data, Files.size(files.data),
        files.scales, Files.size(files.scales), q.scaleRows(), q.scaleCols(),
        layoutName(q.scaleLayout()),
        hasTensorScale(format) ? String.format(Locale.ROOT, ", tensor scale %s",
            Float.toString(q.tensorScale())) : "",
        dequant ? ", " + files.deq : "");
    w.println("description: " + files.json);
    w.flush();
    return DeepwellCli.EXIT_OK;
  }

  /** The quantizer options, after rejecting options that do not apply to the format. */
  QuantOptions options() {
    if (rows <= 0) throw usage("--rows must be > 0, got " + rows);
    if (cols <= 0) throw usage("--cols must be > 0, got " + cols);
    if (scaleRule != null && !format.isMx()) {
      throw usage("--scale-rule applies only to the MX formats (mxfp8-e4m3, mxfp8-e5m2, mxfp4),"
          + " not " + format.cliName());
    }
    if (scaleLayout == ScaleLayout.SWIZZLED_128X4 && !format.hasByteScales()) {
      throw usage("--scale-layout swizzled applies only to formats with one-byte block scales,"
          + " not " + format.cliName());
    }
    if (fp8Block != null && format != QuantFormat.FP8_BLOCK) {
      throw usage("--fp8-block applies only to --format fp8-block, not " + format.cliName());
    }
    if (hadamard && !format.isNvfp4()) {
      throw usage("--hadamard applies only to nvfp4 and nvfp4-2d, not " + format.cliName());
    }
    if (seed != null && !stochastic && !hadamard) {
      throw usage("--seed has no effect without --stochastic or --hadamard");
    }
    QuantOptions.Builder b = QuantOptions.builder()
        .axis(axis)
        .stochasticRounding(stochastic)
        .hadamard16(hadamard);
    if (scaleRule != null) b.scaleRule(scaleRule);
    if (scaleLayout != null) b.scaleLayout(scaleLayout);
    if (fp8Block != null) b.fp8BlockShape(fp8Block);
    if (seed != null) b.seed(seed);
    return b.build();
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  /** The PREFIX.json document. Field names are a stable interface (scripts read them). */
  static JsonObject describe(QuantizedTensor q, OutputFiles files) throws IOException {
    QuantFormat f = q.format();
    QuantOptions o = q.options();
    JsonObject root = new JsonObject();
    root.addProperty("format", f.cliName());
    root.addProperty("rows", q.rows());
    root.addProperty("cols", q.cols());
    root.addProperty("axis", lower(q.axis()));

    JsonObject data = new JsonObject();
    data.addProperty("file", files.data.getFileName().toString());
    data.addProperty("bytes", Files.size(files.data));
    data.addProperty("elementFormat", f.elementFormat().displayName());
    data.add("shape", pair(q.storedRows(), q.storedCols()));
    data.addProperty("order", q.axis() == Axis.ROW
        ? "row-major [rows, cols]" : "row-major [cols, rows] (transposed input)");
    data.addProperty("packing", f.elementFormat().bits() == 4
        ? "two codes per byte, low nibble first" : "one code per byte");
    root.add("data", data);

    JsonObject scales = new JsonObject();
    scales.addProperty("file", files.scales.getFileName().toString());
    scales.addProperty("bytes", Files.size(files.scales));
    scales.addProperty("encoding", scaleEncoding(f));
    scales.addProperty("block", blockShape(f, o));
    scales.add("shape", pair(q.scaleRows(), q.scaleCols()));
    scales.addProperty("layout", f == QuantFormat.FP8_TENSOR ? null : layoutName(q.scaleLayout()));
    if (q.scaleLayout() == ScaleLayout.SWIZZLED_128X4) {
      scales.add("paddedShape", pair(roundUp(q.scaleRows(), ScaleLayout.TILE_ROWS),
          roundUp(q.scaleCols(), ScaleLayout.TILE_COLS)));
    }
    root.add("scales", scales);

    root.addProperty("scaleRule", f.isMx() ? lower(o.scaleRule()) : null);
    root.addProperty("tensorScale", q.tensorScale());
    root.addProperty("tensorScaleBits",
        String.format(Locale.ROOT, "0x%08x", Float.floatToRawIntBits(q.tensorScale())));
    root.addProperty("stochasticRounding", o.stochasticRounding());
    root.addProperty("hadamard16", o.hadamard16());
    root.addProperty("seed", o.stochasticRounding() || o.hadamard16() ? o.seed() : null);
    if (files.deq != null) {
      JsonObject deq = new JsonObject();
      deq.addProperty("file", files.deq.getFileName().toString());
      deq.addProperty("bytes", Files.size(files.deq));
      deq.addProperty("order", "row-major [rows, cols] little-endian FP32");
      root.add("dequantized", deq);
    } else {
      root.add("dequantized", null);
    }
    return root;
  }

  /** How one block scale is stored; null for fp8-tensor (its one scale is tensorScale). */
  static String scaleEncoding(QuantFormat f) {
    ElementFormat s = f.scaleFormat();
    if (s != null) return s.displayName() + ", one byte per scale";
    if (f == QuantFormat.FP8_BLOCK) return "FP32 little-endian decode scale";
    return null;
  }

  /** Scale block shape in the storage orientation, e.g. "1x32", "16x16", "128x128", "tensor". */
  static String blockShape(QuantFormat f, QuantOptions o) {
    switch (f) {
      case NVFP4_2D:
        return "16x16";
      case FP8_TENSOR:
        return "tensor";
      case FP8_BLOCK:
        return o.fp8BlockShape().tileRows() + "x" + o.fp8BlockShape().tileCols();
      default:
        return "1x" + f.blockSize();
    }
  }

  static boolean hasTensorScale(QuantFormat f) {
    return f.isNvfp4() || f == QuantFormat.FP8_TENSOR;
  }

  static String layoutName(ScaleLayout layout) {
    return layout == ScaleLayout.ROW_MAJOR ? "rowmajor" : "swizzled";
  }

  private static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  private static JsonArray pair(int a, int b) {
    JsonArray arr = new JsonArray();
    arr.add(a);
    arr.add(b);
    return arr;
  }

  private static int roundUp(int v, int m) {
    return (v + m - 1) / m * m;
  }

  /** The files one quantize run writes. */
  static final class OutputFiles {
    final Path data;
    final Path scales;
    final Path json;
    final Path deq;

    private OutputFiles(Path data, Path scales, Path json, Path deq) {
      this.data = data;
      this.scales = scales;
      this.json = json;
      this.deq = deq;
    }

    static OutputFiles forPrefix(String prefix, boolean dequant) {
      if (prefix.isBlank()) throw new CliException("--out must not be empty");
      return new OutputFiles(Path.of(prefix + ".data"), Path.of(prefix + ".scales"),
          Path.of(prefix + ".json"), dequant ? Path.of(prefix + ".deq.f32") : null);
    }
  }

  // Converters: they turn bad values into picocli usage errors that list the valid ones.

  static final class FormatConverter implements ITypeConverter<QuantFormat> {
    @Override
    public QuantFormat convert(String value) {
      try {
        return QuantFormat.fromCliName(value.trim().toLowerCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  static final class AxisConverter implements ITypeConverter<Axis> {
    @Override
    public Axis convert(String value) {
      switch (value.trim().toLowerCase(Locale.ROOT)) {
        case "row":
          return Axis.ROW;
        case "col":
          return Axis.COL;
        default:
          throw new TypeConversionException("'" + value + "' is not an axis; use row or col");
      }
    }
  }

  static final class ScaleRuleConverter implements ITypeConverter<ScaleRule> {
    @Override
    public ScaleRule convert(String value) {
      switch (value.trim().toLowerCase(Locale.ROOT)) {
        case "ocp":
          return ScaleRule.OCP;
        case "ceil":
          return ScaleRule.CEIL;
        default:
          throw new TypeConversionException("'" + value + "' is not a scale rule; use ocp or ceil");
      }
    }
  }

  static final class ScaleLayoutConverter implements ITypeConverter<ScaleLayout> {
    @Override
    public ScaleLayout convert(String value) {
      switch (value.trim().toLowerCase(Locale.ROOT)) {
        case "rowmajor":
          return ScaleLayout.ROW_MAJOR;
        case "swizzled":
          return ScaleLayout.SWIZZLED_128X4;
        default:
          throw new TypeConversionException(
              "'" + value + "' is not a scale layout; use rowmajor or swizzled");
      }
    }
  }

  static final class Fp8BlockConverter implements ITypeConverter<Fp8BlockShape> {
    @Override
    public Fp8BlockShape convert(String value) {
      switch (value.trim().toLowerCase(Locale.ROOT)) {
        case "1x128":
          return Fp8BlockShape.ACT_1X128;
        case "128x128":
          return Fp8BlockShape.WEIGHT_128X128;
        default:
          throw new TypeConversionException(
              "'" + value + "' is not an FP8 block shape; use 1x128 or 128x128");
      }
    }
  }
}
