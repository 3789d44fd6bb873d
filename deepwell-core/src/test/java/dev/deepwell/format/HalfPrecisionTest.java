package dev.deepwell.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.reflect.Method;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * BF16 and FP16 against an exact BigDecimal round-half-even, plus (on JDK 20+) FP16 against the JDK's own
 * {@code Float.floatToFloat16} / {@code Float.float16ToFloat}.
 */
class HalfPrecisionTest {

    @Test
    void bf16MatchesBigDecimalHalfEvenOnRandomFloats() {
        SplittableRandom random = new SplittableRandom(0xBF16L);
        for (int i = 0; i < 50_000; i++) {
            float x = Float.intBitsToFloat(random.nextInt());
            if (!Float.isNaN(x)) {
                assertValue(Bf16.decode(Bf16.encode(x)), roundHalfEven(x, 8, -133, 0x1p128), x);
            }
        }
    }

    @Test
    void fp16MatchesBigDecimalHalfEvenOnRandomFloats() {
        SplittableRandom random = new SplittableRandom(0xF16L);
        for (int i = 0; i < 100_000; i++) {
            // Exponents from below FP16's subnormals to past its overflow.
            float x = Math.scalb(1f + random.nextFloat(), random.nextInt(-27, 18));
            x = random.nextBoolean() ? -x : x;
            assertValue(Fp16.decode(Fp16.encode(x)), roundHalfEven(x, 11, -24, 65536), x);
        }
    }

    @Test
    void nanBecomesTheCanonicalQuietNanOfTheCudaHeaders() {
        for (int bits : new int[] {0x7FC0_0000, 0xFFC0_0000, 0x7F80_0001, 0xFFFF_FFFF}) {
            float nan = Float.intBitsToFloat(bits);
            assertThat(Bf16.encode(nan)).isEqualTo((short) 0x7FFF);
            assertThat(Fp16.encode(nan)).isEqualTo((short) 0x7FFF);
        }
    }

    @Test
    void bf16KeepsFp32SubnormalsInsteadOfFlushing() {
        assertThat(Bf16.encode(0x1p-133f)).isEqualTo((short) 0x0001);
        assertThat(Bf16.encode(-0x1p-133f)).isEqualTo((short) 0x8001);
        assertThat(Bf16.encode(0x1p-134f)).isEqualTo((short) 0x0000);
        assertThat(Bf16.encode(Math.nextUp(0x1p-134f))).isEqualTo((short) 0x0001);
        assertThat(Bf16.decode((short) 0x0001)).isEqualTo(0x1p-133f);
    }

    @Test
    void fp16DecodeMatchesTheJdkOnAllCodes() throws ReflectiveOperationException {
        Method float16ToFloat = jdkMethod("float16ToFloat", short.class);
        for (int code = 0; code < 0x10000; code++) {
            float expected = (float) float16ToFloat.invoke(null, (short) code);
            float actual = Fp16.decode((short) code);
            if (Float.isNaN(expected)) {
                assertThat(actual).isNaN();
            } else {
                assertThat(Float.floatToRawIntBits(actual)).as("code 0x%04x", code)
                        .isEqualTo(Float.floatToRawIntBits(expected));
            }
        }
    }

    @Test
    void fp16EncodeMatchesTheJdkExceptForNanPayloads() throws ReflectiveOperationException {
        Method floatToFloat16 = jdkMethod("floatToFloat16", float.class);
        SplittableRandom random = new SplittableRandom(0x7D16L);
        for (int i = 0; i < 200_000; i++) {
            float x = i % 2 == 0 ? Float.intBitsToFloat(random.nextInt())
                    : Math.scalb(1f + random.nextFloat(), random.nextInt(-27, 18));
            if (Float.isNaN(x)) {
                continue; // the JDK keeps sign and payload; CUDA returns the canonical 0x7FFF
            }
            short expected = (short) floatToFloat16.invoke(null, x);
            assertThat(Fp16.encode(x)).as("encode(%s)", x).isEqualTo(expected);
        }
        for (int code = 0; code < 0x7C00; code++) {
            // Every FP16 midpoint and its neighbours.
            float mid = (float) ((Fp16.decode((short) code) + (double) Fp16.decode((short) (code + 1))) / 2);
            for (float x : new float[] {mid, Math.nextUp(mid), Math.nextDown(mid), -mid}) {
                assertThat(Fp16.encode(x)).as("encode(%s)", x).isEqualTo((short) floatToFloat16.invoke(null, x));
            }
        }
    }

    private static Method jdkMethod(String name, Class<?> parameter) {
        int feature = Runtime.version().feature();
        assumeTrue(feature >= 20, "Float." + name + " needs JDK 20+, running on JDK " + feature);
        try {
            return Float.class.getMethod(name, parameter);
        } catch (NoSuchMethodException e) {
            throw new AssertionError("JDK " + feature + " lacks Float." + name, e);
        }
    }

    /**
     * Exact round-half-even of x to {@code precision} significant bits with the smallest ulp 2^minUlpExponent,
     * or +-Inf when the rounded magnitude reaches {@code overflow}.
     */
    private static double roundHalfEven(float x, int precision, int minUlpExponent, double overflow) {
        if (x == 0f || Float.isInfinite(x)) {
            return x;
        }
        int ulpExponent = Math.max(Math.getExponent((double) x) - (precision - 1), minUlpExponent);
        // Multiplying by the exact reciprocal power of two is exact and much cheaper than BigDecimal division.
        BigDecimal units = new BigDecimal(Math.abs(x)).multiply(new BigDecimal(Math.scalb(1.0, -ulpExponent)))
                .setScale(0, RoundingMode.HALF_EVEN);
        double magnitude = units.multiply(new BigDecimal(Math.scalb(1.0, ulpExponent))).doubleValue();
        if (magnitude >= overflow) {
            magnitude = Double.POSITIVE_INFINITY;
        }
        return Math.copySign(magnitude, x);
    }

    private static void assertValue(float actual, double expected, float input) {
        assertThat(Double.doubleToRawLongBits(actual))
                .as("input %s (0x%08x): got %s, expected %s", input, Float.floatToRawIntBits(input), actual, expected)
                .isEqualTo(Double.doubleToRawLongBits(expected));
    }
}
