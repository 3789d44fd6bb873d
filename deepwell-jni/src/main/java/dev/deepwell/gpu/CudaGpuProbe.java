package dev.deepwell.gpu;

import dev.deepwell.hw.GpuInfo;
import dev.deepwell.hw.GpuProbe;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@link GpuProbe} of deepwell-jni (registered in META-INF/services): every visible CUDA
 * device, or the reason there is none (library missing, no driver, driver too old, no GPU).
 */
public final class CudaGpuProbe implements GpuProbe {

  @Override
  public Result probe() {
    try {
      NativeLoadResult status = NativeLibrary.status();
      if (!status.isReady()) return Result.none(status.summary());
      int n = CudaDevice.count();
      List<GpuInfo> gpus = new ArrayList<>(n);
      for (int i = 0; i < n; i++) gpus.add(new CudaDevice(i).info());
      if (gpus.isEmpty()) return Result.none("the driver reports no CUDA device");
      return Result.found(gpus);
    } catch (RuntimeException | LinkageError e) {
      return Result.none("CUDA probe failed: " + e.getMessage());
    }
  }
}
