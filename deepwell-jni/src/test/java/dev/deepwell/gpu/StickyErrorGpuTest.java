package dev.deepwell.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A kernel that writes outside any allocation leaves the CUDA context unusable. That happens in
 * a child JVM (this one keeps its GPU): the child reports what it saw, line by line.
 */
@Tag("gpu")
class StickyErrorGpuTest {

  /** Child JVM: faults, then reports the first exception and what a later call throws. */
  public static void main(String[] args) {
    CudaDevice device = CudaDevice.get(0);
    CudaStream stream = device.createStream();
    try {
      Natives.testLaunchOutOfBounds(stream.handle());
      System.out.println("LAUNCHED");
      stream.synchronize();
      System.out.println("FIRST none");
    } catch (CudaException e) {
      System.out.println("FIRST " + e.getClass().getSimpleName() + " " + e.code() + " | " + e.operation() + " | "
          + e.getMessage());
    }
    try {
      device.createStream();
      System.out.println("SECOND none");
    } catch (CudaException e) {
      System.out.println("SECOND " + e.getClass().getSimpleName() + " | " + e.getMessage());
    }
    System.out.println("ALIVE");
  }

  private static TestSupport.ChildResult child(Map<String, String> env) throws Exception {
    TestSupport.ChildResult r = TestSupport.runChildJvm(StickyErrorGpuTest.class, env, List.of(), List.of(), 120);
    assertThat(r.exitCode()).as("child stderr: %s", r.stderr()).isZero();
    assertThat(r.stdout()).contains("ALIVE");
    return r;
  }

  @Test
  void anAsynchronousFaultSurfacesLaterAndLosesTheContext() throws Exception {
    TestSupport.assumeGpu();
    TestSupport.ChildResult r = child(Map.of("DEEPWELL_SYNC", "0"));
    // Usually the launch returns before the kernel faults and the next synchronisation reports
    // it; a fast fault may already be seen by the launch check. Either way the context is lost,
    // and the message says how to name the kernel.
    if (r.stdout().contains("LAUNCHED")) {
      assertThat(r.stdout()).containsPattern("FIRST CudaContextLostException (700|719) \\| cudaStreamSynchronize \\|");
    } else {
      assertThat(r.stdout()).containsPattern("FIRST CudaContextLostException (700|719) \\| kernel dw_test_out_of_bounds \\|");
    }
    assertThat(r.stdout()).contains("run with DEEPWELL_SYNC=1 to name the failing kernel");
    assertThat(r.stdout()).contains("SECOND CudaContextLostException").contains("restart the process");
  }

  @Test
  void withDeepwellSyncTheFaultingKernelIsNamed() throws Exception {
    TestSupport.assumeGpu();
    TestSupport.ChildResult r = child(Map.of("DEEPWELL_SYNC", "1"));
    assertThat(r.stdout()).doesNotContain("LAUNCHED");
    assertThat(r.stdout()).containsPattern("FIRST CudaContextLostException (700|719) \\| kernel dw_test_out_of_bounds \\|");
    assertThat(r.stdout()).contains("SECOND CudaContextLostException");
  }
}
