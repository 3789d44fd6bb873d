package dev.deepwell.format;

/**
 * The element formats Deepwell stores tensors in, behind one generic interface. Each constant delegates to its
 * format class, whose documentation states rounding, saturation and NaN handling; the generic {@link #encode}
 * uses round-to-nearest-even with saturation to finite for the 8- and 4-bit formats and round-down for E8M0.
 *
 * <p>Codes are ints holding the format's code in their low {@link #bits()} bits (upper bits zero on encode,
 * ignored on decode).
 */
public enum ElementFormat {

    BF16(16, Float.intBitsToFloat(0x7F7F_0000), true, "BF16") {
        @Override
        public int encode(float x) {
            return Bf16.encode(x) & 0xFFFF;
        }

        @Override
        public float decode(int code) {
            return Bf16.decode((short) code);
        }
    },

    FP16(16, 65504f, true, "FP16") {
        @Override
        public int encode(float x) {
            return Fp16.encode(x) & 0xFFFF;
        }

        @Override
        public float decode(int code) {
            return Fp16.decode((short) code);
        }
    },

    FP8_E4M3(8, Fp8E4M3.MAX, true, "FP8 E4M3") {
        @Override
        public int encode(float x) {
            return Fp8E4M3.encode(x) & 0xFF;
        }

        @Override
        public float decode(int code) {
            return Fp8E4M3.decode((byte) code);
        }
    },

    FP8_E5M2(8, Fp8E5M2.MAX, true, "FP8 E5M2") {
        @Override
        public int encode(float x) {
            return Fp8E5M2.encode(x) & 0xFF;
        }

        @Override
        public float decode(int code) {
            return Fp8E5M2.decode((byte) code);
        }
    },

    FP4_E2M1(4, Fp4E2M1.MAX, true, "FP4 E2M1") {
        @Override
        public int encode(float x) {
            return Fp4E2M1.encode(x);
        }

        @Override
        public float decode(int code) {
            return Fp4E2M1.decode(code);
        }
    },

    /** Scale format; {@link #encode} rounds down (the MX scale rule) and ignores the sign. */
    E8M0(8, 0x1p127f, false, "UE8M0") {
        @Override
        public int encode(float x) {
            return dev.deepwell.format.E8M0.encodeRoundDown(x);
        }

        @Override
        public float decode(int code) {
            return dev.deepwell.format.E8M0.decode(code);
        }
    },

    /**
     * Scale format; {@link #encode} rejects negative inputs and {@link #decode} rejects codes with bit 7 set
     * (see {@link Ue4M3}).
     */
    UE4M3(8, Ue4M3.MAX, false, "UE4M3") {
        @Override
        public int encode(float x) {
            return Ue4M3.encode(x);
        }

        @Override
        public float decode(int code) {
            return Ue4M3.decode(code & 0xFF);
        }
    };

    private final int bits;
    private final float maxFinite;
    private final boolean signed;
    private final String displayName;

    ElementFormat(int bits, float maxFinite, boolean signed, String displayName) {
        this.bits = bits;
        this.maxFinite = maxFinite;
        this.signed = signed;
        this.displayName = displayName;
    }

    /** Storage bits per element. */
    public int bits() {
        return bits;
    }

    /** Largest finite representable value. */
    public float maxFinite() {
        return maxFinite;
    }

    /** Whether the format has a sign bit (the scale formats E8M0 and UE4M3 do not). */
    public boolean signed() {
        return signed;
    }

    /** Encodes {@code x}; the code is in the low {@link #bits()} bits of the result. */
    public abstract int encode(float x);

    /** Exact FP32 value of the code in the low {@link #bits()} bits of {@code code}. */
    public abstract float decode(int code);

    /** Human-readable name, e.g. {@code "FP8 E4M3"}. */
    public String displayName() {
        return displayName;
    }
}
