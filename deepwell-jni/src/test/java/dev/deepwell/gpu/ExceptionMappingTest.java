package dev.deepwell.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How native failures become Java exceptions, checked without a GPU. */
class ExceptionMappingTest {

  @Test
  void outOfMemoryCarriesTheSizesThroughJni() {
    TestSupport.assumeLibraryLoaded();
    long requested = 1L << 40;
    assertThatThrownBy(() -> Natives.testThrowStatus(2, "cudaMallocAsync", "1 TiB on device 0", requested, 5L << 30, 80L << 30))
        .isInstanceOfSatisfying(DeviceOutOfMemoryException.class, e -> {
          assertThat(e.code()).isEqualTo(2);
          assertThat(e.errorName()).isEqualTo("cudaErrorMemoryAllocation");
          assertThat(e.operation()).isEqualTo("cudaMallocAsync");
          assertThat(e.detail()).isEqualTo("1 TiB on device 0");
          assertThat(e.requestedBytes()).isEqualTo(requested);
          assertThat(e.freeBytes()).isEqualTo(5L << 30);
          assertThat(e.totalBytes()).isEqualTo(80L << 30);
          assertThat(e.getMessage())
              .isEqualTo("cudaMallocAsync failed: cudaErrorMemoryAllocation (2): out of memory [1 TiB on device 0]");
        });
  }

  @Test
  void otherCudaErrorsAreCudaExceptionsWithNameAndOperation() {
    TestSupport.assumeLibraryLoaded();
    assertThatThrownBy(() -> Natives.testThrowStatus(1, "cudaMemcpyAsync", "8 bytes", 0, 0, 0))
        .isExactlyInstanceOf(CudaException.class)
        .hasMessageStartingWith("cudaMemcpyAsync failed: cudaErrorInvalidValue (1): ")
        .satisfies(e -> assertThat(((CudaException) e).code()).isEqualTo(1));
    assertThatThrownBy(() -> Natives.testThrowStatus(10001, "kernel dw_copy16", "stream is null", 0, 0, 0))
        .isExactlyInstanceOf(CudaException.class)
        .hasMessage("kernel dw_copy16 failed: DW_ERROR_INVALID_ARGUMENT (10001): invalid argument [stream is null]");
  }

  @Test
  void cppExceptionsNeverCrossJni() {
    TestSupport.assumeLibraryLoaded();
    assertThatThrownBy(() -> Natives.testThrowCppException(0))
        .isExactlyInstanceOf(CudaException.class)
        .hasMessageContaining("DW_ERROR_INTERNAL")
        .hasMessageContaining("planted std::runtime_error");
    assertThatThrownBy(() -> Natives.testThrowCppException(1))
        .isExactlyInstanceOf(CudaException.class)
        .hasMessageContaining("std::bad_alloc");
    assertThatThrownBy(() -> Natives.testThrowCppException(2))
        .isExactlyInstanceOf(CudaException.class)
        .hasMessageContaining("unknown C++ exception")
        .satisfies(e -> assertThat(((CudaException) e).code()).isEqualTo(10099));
  }

  @Test
  void theFactoryPicksTheTypeByCode() {
    assertThat(CudaErrors.create(2, "cudaErrorMemoryAllocation", "out of memory", "op", "", false, 10, 1, 2))
        .isInstanceOf(DeviceOutOfMemoryException.class);
    assertThat(CudaErrors.create(1, "cudaErrorInvalidValue", "invalid argument", "op", "", false, 0, 0, 0))
        .isExactlyInstanceOf(CudaException.class);
  }

  /**
   * Child JVM: a sticky error (through JNI when the library is loaded, else through the factory)
   * must make every later check fail fast, naming the first error.
   */
  public static void main(String[] args) {
    try {
      if (NativeLibrary.status().state().libraryLoaded()) {
        Natives.testThrowStatus(700, "kernel dw_demo", "planted", 0, 0, 0);
      } else {
        throw CudaErrors.create(700, "cudaErrorIllegalAddress", "illegal", "kernel dw_demo", "planted", true, 0, 0, 0);
      }
    } catch (CudaException e) {
      System.out.println("FIRST " + e.getClass().getSimpleName() + " " + e.code());
    }
    try {
      CudaErrors.ensureUsable();
      System.out.println("SECOND none");
    } catch (CudaContextLostException e) {
      System.out.println("SECOND " + e.getClass().getSimpleName() + " " + e.code() + " " + e.operation() + " | "
          + e.getMessage() + " | cause " + (e.getCause() != null));
    }
  }

  @Test
  void aStickyErrorMarksTheContextLostAndLaterCallsFailFast() throws Exception {
    TestSupport.ChildResult r = TestSupport.runChildJvm(ExceptionMappingTest.class, Map.of(), List.of(), List.of(), 60);
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.stdout()).contains("FIRST CudaContextLostException 700");
    assertThat(r.stdout()).contains("SECOND CudaContextLostException 700 kernel dw_demo");
    assertThat(r.stdout()).contains("restart the process").contains("cause true");
    // ... and in this JVM nothing was marked.
    assertThat(CudaErrors.contextLost()).isFalse();
  }
}
