package dev.deepwell.format;

/**
 * What an encoder does with a finite value whose magnitude lies beyond the format's largest finite value
 * plus half an ulp (and with infinities).
 */
public enum Saturation {
    /** Clamp overflow and +-Inf to +-max finite, as PTX {@code cvt.rn.satfinite} and CUDA's {@code __NV_SATFINITE}. */
    SATFINITE,
    /**
     * No saturation, as CUDA's {@code __NV_NOSAT}: overflow becomes Inf where the format has one (E5M2) and NaN where
     * it has none (E4M3).
     */
    NONE
}
