package dev.deepwell.gpu.gemm;

import dev.deepwell.gpu.CudaException;
import dev.deepwell.gpu.NativeLibrary;
import dev.deepwell.gpu.OptionalLibrary;
import dev.deepwell.kernel.GemmInput;
import dev.deepwell.kernel.GemmKernelCatalog;
import dev.deepwell.kernel.GemmVariant;
import dev.deepwell.kernel.KernelProvider;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Asks the loaded library which GEMM kernels it has (dw_gemm_variant_count, and each CUTLASS
 * configuration's name from a plan of a probe problem) and which backends cannot run here (a
 * missing libcublasLt). Tiles come from the mirror table of {@link GemmKernelCatalog#standard()}
 * by name, else from the name itself; a configuration the Java side cannot describe is left out
 * of the Java tile choice (and named in {@link Discovery#notes()}).
 */
final class NativeGemmCatalog {

  /** What the library offers on one device. */
  record Discovery(GemmKernelCatalog catalog, Map<KernelProvider, String> unavailable, List<String> notes) {}

  /** A problem every CUTLASS configuration accepts, planned only to learn the kernel's name. */
  private static final long PROBE = 1024;

  private NativeGemmCatalog() {}

  static Discovery discover(int device, int smVersion) {
    GemmKernelCatalog mirror = GemmKernelCatalog.standard();
    List<GemmVariant> variants = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    for (GemmInput in : GemmInput.values()) {
      int own = GemmNatives.variantCount(GemmAbi.BACKEND_GEMV, GemmAbi.input(in));
      List<GemmVariant> ownMirror = GemmKernelCatalog.deepwellVariants(in);
      for (int i = 0; i < own; i++) {
        if (i < ownMirror.size()) {
          variants.add(ownMirror.get(i));
        } else {
          notes.add("GEMV " + in.displayName() + " variant " + i + " is unknown to the Java catalogue; left out");
          break;
        }
      }
      cutlass(device, smVersion, in, mirror, variants, notes);
      int lt = GemmNatives.variantCount(GemmAbi.BACKEND_CUBLASLT, GemmAbi.input(in));
      List<GemmVariant> ltMirror = mirror.variants(KernelProvider.CUBLASLT, in);
      for (int i = 0; i < lt; i++) {
        if (i < ltMirror.size()) {
          variants.add(ltMirror.get(i));
        } else {
          notes.add("cuBLASLt " + in.displayName() + " variant " + i + " is unknown to the Java catalogue; left out");
          break;
        }
      }
      if (GemmNatives.variantCount(GemmAbi.BACKEND_REFERENCE, GemmAbi.input(in)) > 0) {
        variants.add(GemmKernelCatalog.referenceVariant(in));
      }
      variants.add(GemmKernelCatalog.cpuVariant(in));
    }
    Map<KernelProvider, String> unavailable = new EnumMap<>(KernelProvider.class);
    for (OptionalLibrary lib : NativeLibrary.optionalLibraries()) {
      if (lib.name().equals("cuBLASLt") && !lib.available()) {
        unavailable.put(KernelProvider.CUBLASLT, "libcublasLt is missing (" + lib.file() + ": " + lib.detail() + ")");
      }
    }
    return new Discovery(GemmKernelCatalog.of(variants), unavailable, notes);
  }

  private static void cutlass(int device, int sm, GemmInput in, GemmKernelCatalog mirror, List<GemmVariant> out,
      List<String> notes) {
    // CUTLASS is one backend per architecture (sm_90a, sm_100a, sm_120a kernels); a device of
    // another architecture is shown the sm_90 kernels, which the selector rejects by architecture.
    int backend = GemmAbi.cutlassBackend(sm);
    int arch = GemmAbi.cutlassArch(backend);
    int count = GemmNatives.variantCount(backend, GemmAbi.input(in));
    List<GemmVariant> known = arch == 90 ? mirror.variants(KernelProvider.CUTLASS, in)
        : GemmKernelCatalog.standard(arch).variants(KernelProvider.CUTLASS, in);
    Optional<String> family = GemmKernelCatalog.cutlassDescriptorId(in, arch);
    for (int i = 0; i < count; i++) {
      // Off its architecture the planner refuses every CUTLASS kernel, so names cannot be asked;
      // the selector rejects CUTLASS there on architecture anyway.
      String name = sm == arch ? probeName(device, in, i, backend, notes) : null;
      GemmVariant v = null;
      if (name != null) {
        for (GemmVariant k : known) {
          if (k.name().equals(name)) {
            v = new GemmVariant(k.provider(), in, i, name, k.tileM(), k.tileN(), k.schedule(), k.descriptorId());
          }
        }
        if (v == null && family.isPresent()) {
          v = GemmKernelCatalog.parseCutlass(in, i, name, family.get()).orElse(null);
        }
      } else if (i < known.size()) {
        v = known.get(i);
      }
      if (v == null) {
        notes.add("CUTLASS " + in.displayName() + " variant " + i + " (" + name + ") has no tile the Java side can "
            + "read; it and the later ones are left out of the Java tile choice");
        return;
      }
      out.add(v);
    }
  }

  private static String probeName(int device, GemmInput in, int variant, int backend, List<String> notes) {
    byte[] plan = new byte[GemmNatives.planInfoSize()];
    long[] info = new long[4];
    try {
      return GemmNatives.plan(device, PROBE, PROBE, PROBE, GemmAbi.input(in), 0, 0, 1f, 1f, false, false,
          backend, variant, 0, plan, info);
    } catch (CudaException e) {
      if (e instanceof dev.deepwell.gpu.CudaContextLostException) {
        throw e;
      }
      notes.add("CUTLASS " + in.displayName() + " variant " + variant + " refused the probe plan: " + e.getMessage());
      return null;
    }
  }
}
