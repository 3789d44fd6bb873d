package dev.deepwell.cpu;

import dev.deepwell.model.Architecture;
import dev.deepwell.model.MoeSpec;
import dev.deepwell.model.TransformerSpec;

/**
 * An FP64 forward pass of a {@link TransformerSpec}, written straight from the architecture's
 * definition (not from the IR): the independent reference the CPU backend is checked against.
 * Reads parameters by their names; returns logits [tokens x vocab].
 */
final class ReferenceTransformer {

  private final TransformerSpec s;
  private final ModelWeights w;

  ReferenceTransformer(TransformerSpec spec, ModelWeights weights) {
    this.s = spec;
    this.w = weights;
  }

  private double[] p(String name) {
    float[] f = w.get(name);
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  double[] logits(int[] tokens, int batch, int seq) {
    int t = tokens.length;
    int d = s.dModel();
    boolean gpt2 = s.architecture() == Architecture.GPT2;
    double[] table = p("embedding.weight");
    double[] x = new double[t * d];
    for (int i = 0; i < t; i++) {
      System.arraycopy(table, tokens[i] * d, x, i * d, d);
    }
    if (gpt2) {
      double[] pos = p("position_embedding.weight");
      for (int i = 0; i < t; i++) {
        for (int j = 0; j < d; j++) {
          x[i * d + j] += pos[(i % seq) * d + j];
        }
      }
    }
    for (int l = 0; l < s.layers(); l++) {
      String pre = "layers." + l;
      double[] h = norm(x, pre + ".attn_norm", gpt2);
      double[] qkv = matmul(h, p(pre + ".attn.qkv.weight"), t, d, s.qkvWidth());
      if (gpt2) {
        addBias(qkv, p(pre + ".attn.qkv.bias"));
      } else {
        rope(qkv, t, seq);
      }
      double[] o = attention(qkv, batch, seq);
      double[] proj = matmul(o, p(pre + ".attn.o_proj.weight"), t, d, d);
      if (gpt2) {
        addBias(proj, p(pre + ".attn.o_proj.bias"));
      }
      add(x, proj);
      double[] h2 = norm(x, pre + ".mlp_norm", gpt2);
      double[] mlp;
      if (s.isMoe()) {
        mlp = moe(h2, pre + ".moe", t);
      } else if (gpt2) {
        double[] fc = matmul(h2, p(pre + ".mlp.fc.weight"), t, d, s.ffnHidden());
        addBias(fc, p(pre + ".mlp.fc.bias"));
        for (int i = 0; i < fc.length; i++) {
          fc[i] = gelu(fc[i]);
        }
        mlp = matmul(fc, p(pre + ".mlp.proj.weight"), t, s.ffnHidden(), d);
        addBias(mlp, p(pre + ".mlp.proj.bias"));
      } else {
        double[] gu = matmul(h2, p(pre + ".mlp.gate_up.weight"), t, d, 2 * s.ffnHidden());
        double[] a = swiglu(gu, t, s.ffnHidden());
        mlp = matmul(a, p(pre + ".mlp.down.weight"), t, s.ffnHidden(), d);
      }
      add(x, mlp);
    }
    double[] xf = norm(x, "final_norm", gpt2);
    String head = s.tiedEmbeddings() ? "embedding.weight" : "lm_head.weight";
    return matmul(xf, p(head), t, d, s.vocabSize());
  }

  /** Mean over tokens of log-sum-exp(logits) - logits[label]. */
  static double crossEntropy(double[] logits, int[] labels, int classes) {
    double total = 0;
    for (int t = 0; t < labels.length; t++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < classes; c++) {
        max = Math.max(max, logits[t * classes + c]);
      }
      double sum = 0;
      for (int c = 0; c < classes; c++) {
        sum += Math.exp(logits[t * classes + c] - max);
      }
      total += max + Math.log(sum) - logits[t * classes + labels[t]];
    }
    return total / labels.length;
  }

  private double[] norm(double[] x, String name, boolean layerNorm) {
    int d = s.dModel();
    double[] g = p(name + ".weight");
    double[] b = layerNorm ? p(name + ".bias") : null;
    double[] y = new double[x.length];
    for (int r = 0; r < x.length / d; r++) {
      double mean = 0;
      if (layerNorm) {
        for (int i = 0; i < d; i++) {
          mean += x[r * d + i];
        }
        mean /= d;
      }
      double var = 0;
      for (int i = 0; i < d; i++) {
        var += (x[r * d + i] - mean) * (x[r * d + i] - mean);
      }
      double inv = 1 / Math.sqrt(var / d + s.normEps());
      for (int i = 0; i < d; i++) {
        y[r * d + i] = (x[r * d + i] - mean) * inv * g[i] + (b == null ? 0 : b[i]);
      }
    }
    return y;
  }

  /** x [m, k] times w^T, w [n, k]. */
  static double[] matmul(double[] x, double[] w, int m, int k, int n) {
    double[] y = new double[m * n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double acc = 0;
        for (int q = 0; q < k; q++) {
          acc += x[i * k + q] * w[j * k + q];
        }
        y[i * n + j] = acc;
      }
    }
    return y;
  }

  private static void addBias(double[] y, double[] b) {
    for (int i = 0; i < y.length; i++) {
      y[i] += b[i % b.length];
    }
  }

  private static void add(double[] x, double[] y) {
    for (int i = 0; i < x.length; i++) {
      x[i] += y[i];
    }
  }

  /** Rotate-half rotary embedding on the q and k heads; position restarts per sequence. */
  private void rope(double[] qkv, int t, int seq) {
    int hd = s.headDim();
    int width = s.qkvWidth();
    for (int i = 0; i < t; i++) {
      int pos = i % seq;
      for (int head = 0; head < s.heads() + s.kvHeads(); head++) {
        int o = i * width + head * hd;
        for (int j = 0; j < hd / 2; j++) {
          double angle = pos / Math.pow(s.ropeTheta(), 2.0 * j / hd);
          double a = qkv[o + j];
          double b = qkv[o + j + hd / 2];
          qkv[o + j] = a * Math.cos(angle) - b * Math.sin(angle);
          qkv[o + j + hd / 2] = b * Math.cos(angle) + a * Math.sin(angle);
        }
      }
    }
  }

  /** Causal attention; query head q reads key/value head q / (heads / kvHeads). */
  private double[] attention(double[] qkv, int batch, int seq) {
    int h = s.heads();
    int g = s.kvHeads();
    int hd = s.headDim();
    int width = s.qkvWidth();
    double[] out = new double[batch * seq * h * hd];
    for (int b = 0; b < batch; b++) {
      for (int q = 0; q < h; q++) {
        int kv = q / (h / g);
        for (int i = 0; i < seq; i++) {
          double[] score = new double[i + 1];
          double max = Double.NEGATIVE_INFINITY;
          for (int j = 0; j <= i; j++) {
            double dot = 0;
            for (int c = 0; c < hd; c++) {
              dot += qkv[(b * seq + i) * width + q * hd + c]
                  * qkv[(b * seq + j) * width + (h + kv) * hd + c];
            }
            score[j] = dot / Math.sqrt(hd);
            max = Math.max(max, score[j]);
          }
          double sum = 0;
          for (int j = 0; j <= i; j++) {
            score[j] = Math.exp(score[j] - max);
            sum += score[j];
          }
          for (int j = 0; j <= i; j++) {
            for (int c = 0; c < hd; c++) {
              out[(b * seq + i) * h * hd + q * hd + c] += score[j] / sum
                  * qkv[(b * seq + j) * width + (h + g + kv) * hd + c];
            }
          }
        }
      }
    }
    return out;
  }

  private static double[] swiglu(double[] gu, int t, int f) {
    double[] a = new double[t * f];
    for (int i = 0; i < t; i++) {
      for (int j = 0; j < f; j++) {
        double gate = gu[i * 2 * f + j];
        a[i * f + j] = gate / (1 + Math.exp(-gate)) * gu[i * 2 * f + f + j];
      }
    }
    return a;
  }

  /** The exact GELU, with erf integrated here (Simpson) rather than taken from the code under test. */
  private static double gelu(double x) {
    return 0.5 * x * (1 + erf(x / Math.sqrt(2)));
  }

  /** erf(x) = 2/sqrt(pi) * integral of exp(-t^2) over [0, x]; Simpson, 2000 panels: error below 1e-11. */
  static double erf(double x) {
    if (Math.abs(x) > 6) {
      return Math.signum(x); // 1 - erf(6) = 2e-17
    }
    int n = 2000;
    double h = x / n;
    double sum = 1 + Math.exp(-x * x);
    for (int i = 1; i < n; i++) {
      double t = i * h;
      sum += (i % 2 == 1 ? 4 : 2) * Math.exp(-t * t);
    }
    return 2 / Math.sqrt(Math.PI) * sum * h / 3;
  }

  /** Top-k routing: softmax over the k best router logits, weighted sum of those experts. */
  private double[] moe(double[] h, String pre, int t) {
    MoeSpec m = s.moe();
    int d = s.dModel();
    int f = m.expertHidden();
    double[] logits = matmul(h, p(pre + ".router.weight"), t, d, m.experts());
    double[] up = p(pre + ".experts.gate_up.weight");
    double[] down = p(pre + ".experts.down.weight");
    double[] y = new double[t * d];
    for (int i = 0; i < t; i++) {
      int[] chosen = new int[m.topK()];
      boolean[] taken = new boolean[m.experts()];
      for (int k = 0; k < m.topK(); k++) {
        int best = -1;
        for (int e = 0; e < m.experts(); e++) {
          if (!taken[e] && (best < 0 || logits[i * m.experts() + e]
              > logits[i * m.experts() + best])) {
            best = e;
          }
        }
        taken[best] = true;
        chosen[k] = best;
      }
      double max = logits[i * m.experts() + chosen[0]];
      double sum = 0;
      double[] weight = new double[m.topK()];
      for (int k = 0; k < m.topK(); k++) {
        weight[k] = Math.exp(logits[i * m.experts() + chosen[k]] - max);
        sum += weight[k];
      }
      double[] row = java.util.Arrays.copyOfRange(h, i * d, (i + 1) * d);
      for (int k = 0; k < m.topK(); k++) {
        int e = chosen[k];
        double[] wUp = java.util.Arrays.copyOfRange(up, e * 2 * f * d, (e + 1) * 2 * f * d);
        double[] wDown = java.util.Arrays.copyOfRange(down, e * d * f, (e + 1) * d * f);
        double[] out = matmul(swiglu(matmul(row, wUp, 1, d, 2 * f), 1, f), wDown, 1, f, d);
        for (int c = 0; c < d; c++) {
          y[i * d + c] += weight[k] / sum * out[c];
        }
      }
    }
    return y;
  }
}
