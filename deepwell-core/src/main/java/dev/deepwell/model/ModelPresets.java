package dev.deepwell.model;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Named model shapes. "benchmark" is the project's reference model; the llama-* presets are
 * Llama-style shapes (Llama 2 7B/70B, Llama 3.2 1B); gpt2-small is GPT-2 (124M); tiny is a small
 * model for CPU tests.
 */
public final class ModelPresets {

  private static final Map<String, Supplier<TransformerSpec>> PRESETS = new LinkedHashMap<>();

  static {
    PRESETS.put("benchmark", ModelPresets::benchmark);
    PRESETS.put("llama-1b", ModelPresets::llama1B);
    PRESETS.put("llama-7b", ModelPresets::llama7B);
    PRESETS.put("llama-70b", ModelPresets::llama70B);
    PRESETS.put("gpt2-small", ModelPresets::gpt2Small);
    PRESETS.put("tiny", ModelPresets::tiny);
  }

  private ModelPresets() {}

  /** vocab 32768, d 768, 12 layers, 12 heads, SwiGLU 2048, sequence 1024, untied lm_head. */
  public static TransformerSpec benchmark() {
    return TransformerSpec.builder(Architecture.LLAMA).name("benchmark").vocabSize(32768)
        .dModel(768).layers(12).heads(12).ffnHidden(2048).maxSeqLen(1024).build();
  }

  /** Llama 3.2 1B shape: d 2048, 16 layers, 32 heads / 8 KV heads, SwiGLU 8192, tied. */
  public static TransformerSpec llama1B() {
    return TransformerSpec.builder(Architecture.LLAMA).name("llama-1b").vocabSize(128256)
        .dModel(2048).layers(16).heads(32).kvHeads(8).ffnHidden(8192).maxSeqLen(8192)
        .tiedEmbeddings(true).ropeTheta(500000).build();
  }

  /** Llama 2 7B shape: d 4096, 32 layers, 32 heads (MHA), SwiGLU 11008, vocab 32000. */
  public static TransformerSpec llama7B() {
    return TransformerSpec.builder(Architecture.LLAMA).name("llama-7b").vocabSize(32000)
        .dModel(4096).layers(32).heads(32).ffnHidden(11008).maxSeqLen(4096).build();
  }

  /** Llama 2 70B shape: d 8192, 80 layers, 64 heads / 8 KV heads, SwiGLU 28672, vocab 32000. */
  public static TransformerSpec llama70B() {
    return TransformerSpec.builder(Architecture.LLAMA).name("llama-70b").vocabSize(32000)
        .dModel(8192).layers(80).heads(64).kvHeads(8).ffnHidden(28672).maxSeqLen(4096).build();
  }

  /** GPT-2 small: d 768, 12 layers, 12 heads, MLP 3072, vocab 50257, 1024 positions, tied. */
  public static TransformerSpec gpt2Small() {
    return TransformerSpec.builder(Architecture.GPT2).name("gpt2-small").vocabSize(50257)
        .dModel(768).layers(12).heads(12).ffnHidden(3072).maxSeqLen(1024).tiedEmbeddings(true)
        .build();
  }

  /** A model small enough to run on the CPU backend in tests: d 64, 2 layers, 4 heads / 2 KV. */
  public static TransformerSpec tiny() {
    return TransformerSpec.builder(Architecture.LLAMA).name("tiny").vocabSize(96).dModel(64)
        .layers(2).heads(4).kvHeads(2).ffnHidden(128).maxSeqLen(64).build();
  }

  /** Preset names, in catalogue order. */
  public static java.util.List<String> names() {
    return java.util.List.copyOf(PRESETS.keySet());
  }

  /** The preset called {@code name} (case-insensitive). */
  public static TransformerSpec byName(String name) {
    if (name == null) {
      throw new NullPointerException("preset name");
    }
    Supplier<TransformerSpec> s = PRESETS.get(name.trim().toLowerCase(Locale.ROOT));
    if (s == null) {
      throw new IllegalArgumentException(
          "unknown model preset '" + name + "'; valid: " + String.join(", ", PRESETS.keySet()));
    }
    return s.get();
  }
}
