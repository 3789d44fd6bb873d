package dev.deepwell.quant;

import dev.deepwell.format.Fp4E2M1;
import dev.deepwell.format.Fp8E4M3;
import dev.deepwell.format.Fp8E5M2;

/**
 * The element encoders the quantizers call, behind one switch: round-to-nearest-even with
 * SATFINITE ({@code cvt.rn.satfinite}) or the stochastic rule of {@code dev.deepwell.format}
 * (also SATFINITE), and the exact decoder. Codes are returned in the low {@link #bits} bits.
 */
enum ElementCodec {
  E4M3(8, Fp8E4M3.MAX, 8) {
    @Override
    int encode(float x) {
      return Fp8E4M3.encode(x) & 0xFF;
    }

    @Override
    int encodeStochastic(float x, int random24) {
      return Fp8E4M3.encodeStochastic(x, random24) & 0xFF;
    }

    @Override
    float decode(int code) {
      return Fp8E4M3.decode((byte) code);
    }
  },
  E5M2(8, Fp8E5M2.MAX, 15) {
    @Override
    int encode(float x) {
      return Fp8E5M2.encode(x) & 0xFF;
    }

    @Override
    int encodeStochastic(float x, int random24) {
      return Fp8E5M2.encodeStochastic(x, random24) & 0xFF;
    }

    @Override
    float decode(int code) {
      return Fp8E5M2.decode((byte) code);
    }
  },
  E2M1(4, Fp4E2M1.MAX, 2) {
    @Override
    int encode(float x) {
      return Fp4E2M1.encode(x) & 0xF;
    }

    @Override
    int encodeStochastic(float x, int random24) {
      return Fp4E2M1.encodeStochastic(x, random24) & 0xF;
    }

    @Override
    float decode(int code) {
      return Fp4E2M1.decode(code);
    }
  };

  /** Bits per code. */
  final int bits;
  /** Largest finite magnitude. */
  final float max;
  /** Unbiased exponent of the largest normal binade ({@code emax} of the OCP MX spec). */
  final int emax;

  ElementCodec(int bits, float max, int emax) {
    this.bits = bits;
    this.max = max;
    this.emax = emax;
  }

  abstract int encode(float x);

  abstract int encodeStochastic(float x, int random24);

  abstract float decode(int code);

  /** Packs codes (one per int, low bits): one per byte, or two per byte, low nibble first. */
  byte[] pack(int[] codes) {
    if (bits == 8) {
      byte[] out = new byte[codes.length];
      for (int i = 0; i < codes.length; i++) {
        out[i] = (byte) codes[i];
      }
      return out;
    }
    byte[] out = new byte[codes.length / 2];
    for (int i = 0; i < out.length; i++) {
      out[i] = Fp4E2M1.pack(codes[2 * i], codes[2 * i + 1]);
    }
    return out;
  }

  /** Inverse of {@link #pack}: {@code count} codes. */
  int[] unpack(byte[] data, int count) {
    int[] codes = new int[count];
    if (bits == 8) {
      for (int i = 0; i < count; i++) {
        codes[i] = data[i] & 0xFF;
      }
      return codes;
    }
    for (int i = 0; i < count / 2; i++) {
      codes[2 * i] = Fp4E2M1.low(data[i]);
      codes[2 * i + 1] = Fp4E2M1.high(data[i]);
    }
    return codes;
  }
}
