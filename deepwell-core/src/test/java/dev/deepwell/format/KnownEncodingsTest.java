package dev.deepwell.format;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Hand-computed encodings, written out from the format definitions rather than derived by code. */
class KnownEncodingsTest {

    private static final float NAN = Float.NaN;
    private static final float INF = Float.POSITIVE_INFINITY;

    @Test
    void fp8E4M3() {
        float[] values = {1f, 448f, 0x1p-9f, 0x1p-6f, 7 * 0x1p-9f, -2f, 0.5f, 240f, 17f, 19f, -0f, 0x1p-10f,
            3 * 0x1p-10f, 500f, -INF, NAN, 416f, 432f};
        int[] codes = {0x38, 0x7E, 0x01, 0x08, 0x07, 0xC0, 0x30, 0x77, 0x58, 0x5A, 0x80, 0x00,
            0x02, 0x7E, 0xFE, 0x7F, 0x7D, 0x7E};
        for (int i = 0; i < values.length; i++) {
            assertThat(Fp8E4M3.encode(values[i]) & 0xFF).as("E4M3 %s", values[i]).isEqualTo(codes[i]);
        }
        assertThat(Fp8E4M3.encode(500f, Saturation.NONE)).isEqualTo((byte) 0x7F);
        assertThat(Fp8E4M3.encode(-500f, Saturation.NONE)).isEqualTo((byte) 0xFF);
        assertThat(Fp8E4M3.decode((byte) 0x38)).isEqualTo(1f);
        assertThat(Fp8E4M3.decode((byte) 0xFE)).isEqualTo(-448f);
        assertThat(Fp8E4M3.decode((byte) 0x01)).isEqualTo(0x1p-9f);
        assertThat(Fp8E4M3.decode((byte) 0x7F)).isNaN();
    }

    @Test
    void fp8E5M2() {
        float[] values = {1f, 57344f, 0x1p-16f, 0x1p-14f, 1.5f, 0.75f, -2f, 3 * 0x1p-16f, 0x1p-17f, 1e6f, -INF, NAN,
            1.125f, 1.375f};
        int[] codes = {0x3C, 0x7B, 0x01, 0x04, 0x3E, 0x3A, 0xC0, 0x03, 0x00, 0x7B, 0xFB, 0x7F,
            0x3C, 0x3E};
        for (int i = 0; i < values.length; i++) {
            assertThat(Fp8E5M2.encode(values[i]) & 0xFF).as("E5M2 %s", values[i]).isEqualTo(codes[i]);
        }
        assertThat(Fp8E5M2.encode(-INF, Saturation.NONE)).isEqualTo((byte) 0xFC);
        assertThat(Fp8E5M2.decode((byte) 0x7C)).isEqualTo(INF);
        assertThat(Fp8E5M2.decode((byte) 0xFC)).isEqualTo(-INF);
        assertThat(Fp8E5M2.decode((byte) 0x7D)).isNaN();
    }

    @Test
    void fp4E2M1() {
        float[] values = {0f, 0.5f, 1f, 1.5f, 2f, 3f, 4f, 6f, -0.5f, -6f, -0f, 0.25f, 0.75f, 1.25f, 1.75f, 2.5f,
            3.5f, 5f, 7f, 100f, -INF, NAN, -0.1f, Math.nextUp(0.25f)};
        int[] codes = {0x0, 0x1, 0x2, 0x3, 0x4, 0x5, 0x6, 0x7, 0x9, 0xF, 0x8, 0x0, 0x2, 0x2, 0x4, 0x4,
            0x6, 0x6, 0x7, 0x7, 0xF, 0x7, 0x8, 0x1};
        for (int i = 0; i < values.length; i++) {
            assertThat(Fp4E2M1.encode(values[i])).as("E2M1 %s", values[i]).isEqualTo(codes[i]);
        }
        float[] decoded = {0f, 0.5f, 1f, 1.5f, 2f, 3f, 4f, 6f, -0f, -0.5f, -1f, -1.5f, -2f, -3f, -4f, -6f};
        for (int code = 0; code < 16; code++) {
            assertThat(Fp4E2M1.decode(code)).as("E2M1 code %d", code).isEqualTo(decoded[code]);
            assertThat(Fp4E2M1.decode(code | 0x30)).as("high bits ignored").isEqualTo(decoded[code]);
        }
    }

    @Test
    void e8m0() {
        assertThat(E8M0.encodeRoundDown(1f)).isEqualTo(127);
        assertThat(E8M0.encodeRoundUp(1f)).isEqualTo(127);
        assertThat(E8M0.encodeRoundDown(3f)).isEqualTo(128);
        assertThat(E8M0.encodeRoundUp(3f)).isEqualTo(129);
        assertThat(E8M0.encodeRoundDown(-0.75f)).isEqualTo(126);
        assertThat(E8M0.encodeRoundUp(-0.75f)).isEqualTo(127);
        assertThat(E8M0.decode(127)).isEqualTo(1f);
        assertThat(E8M0.decode(0)).isEqualTo(0x1p-127f);
        assertThat(E8M0.decode(254)).isEqualTo(0x1p127f);
        assertThat(E8M0.decode(255)).isNaN();
        assertThat(E8M0.NAN_CODE).isEqualTo(0xFF);
    }

    @Test
    void bf16() {
        assertThat(Bf16.encode(1f)).isEqualTo((short) 0x3F80);
        assertThat(Bf16.encode(-2f)).isEqualTo((short) 0xC000);
        assertThat(Bf16.encode((float) Math.PI)).isEqualTo((short) 0x4049);
        assertThat(Bf16.encode(1f / 3)).isEqualTo((short) 0x3EAB);
        assertThat(Bf16.encode(Float.intBitsToFloat(0x3F80_8000))).as("tie to even, down").isEqualTo((short) 0x3F80);
        assertThat(Bf16.encode(Float.intBitsToFloat(0x3F81_8000))).as("tie to even, up").isEqualTo((short) 0x3F82);
        assertThat(Bf16.encode(-INF)).isEqualTo((short) 0xFF80);
        assertThat(Bf16.encode(-0f)).isEqualTo((short) 0x8000);
        assertThat(Bf16.decode((short) 0x3F80)).isEqualTo(1f);
        assertThat(Bf16.decode((short) 0xC049)).isEqualTo(-3.140625f);
    }

    @Test
    void fp16() {
        assertThat(Fp16.encode(1f)).isEqualTo((short) 0x3C00);
        assertThat(Fp16.encode(65504f)).isEqualTo((short) 0x7BFF);
        assertThat(Fp16.encode(0x1p-24f)).isEqualTo((short) 0x0001);
        assertThat(Fp16.encode(0x1p-25f)).isEqualTo((short) 0x0000);
        assertThat(Fp16.encode(1.5f * 0x1p-25f)).isEqualTo((short) 0x0001);
        assertThat(Fp16.encode(0x1p-14f)).isEqualTo((short) 0x0400);
        assertThat(Fp16.encode(-2f)).isEqualTo((short) 0xC000);
        assertThat(Fp16.encode(0.1f)).isEqualTo((short) 0x2E66);
        assertThat(Fp16.encode(1f / 3)).isEqualTo((short) 0x3555);
        assertThat(Fp16.encode(-INF)).isEqualTo((short) 0xFC00);
        assertThat(Fp16.decode((short) 0x3555)).isEqualTo(0.333251953125f);
        assertThat(Fp16.decode((short) 0x8001)).isEqualTo(-0x1p-24f);
        assertThat(Fp16.decode((short) 0x7C00)).isEqualTo(INF);
    }

    @Test
    void ue4m3() {
        assertThat(Ue4M3.encode(1f)).isEqualTo(0x38);
        assertThat(Ue4M3.encode(448f)).isEqualTo(0x7E);
        assertThat(Ue4M3.encode(1000f)).isEqualTo(0x7E);
        assertThat(Ue4M3.encode(INF)).isEqualTo(0x7E);
        assertThat(Ue4M3.encode(NAN)).isEqualTo(0x7F);
        assertThat(Ue4M3.encode(-0f)).isEqualTo(0x00);
        assertThat(Ue4M3.encode(0x1p-9f)).isEqualTo(0x01);
        assertThat(Ue4M3.decode(0x7E)).isEqualTo(448f);
        assertThat(Ue4M3.decode(0x7F)).isNaN();
    }
}
