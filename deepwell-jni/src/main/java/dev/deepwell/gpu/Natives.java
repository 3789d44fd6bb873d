package dev.deepwell.gpu;

/**
 * The JNI entry points (deepwell-jni/src/main/cpp). They trust their arguments: the public
 * methods that call them have checked handles, sizes and bounds. Every one may throw a
 * {@link CudaException} (or a subtype) built by {@link CudaErrors#create}. Handles and device
 * addresses travel as {@code long}.
 */
final class Natives {

  private Natives() {}

  // ---- library, driver, status ----
  static native int abiVersion();

  /** Fills out = {status, driverVersion, runtimeVersion, deviceCount}; returns the detail line. */
  static native String driverCheck(String libcudaName, int[] out);

  /** Fills out = {available, version}; returns {file, detail}. */
  static native String[] optionalLibrary(int which, int[] out);

  static native boolean syncMode();

  static native String statusName(int status);

  static native boolean statusIsSticky(int status);

  // ---- devices ----
  static native int deviceCount();

  /**
   * Fills out = {ccMajor, ccMinor, multiprocessors, smClockKHz, memoryClockKHz, busWidthBits,
   * driverVersion, runtimeVersion, totalBytes, freeBytes, l2Bytes, sharedMemPerBlockOptin};
   * returns the device name.
   */
  static native String deviceProperties(int device, long[] out);

  /** Fills out = {free, total}. */
  static native void memoryInfo(int device, long[] out);

  static native void deviceSynchronize(int device);

  // ---- streams and events ----
  static native long streamCreate(int device);

  static native void streamDestroy(long stream);

  static native void streamSynchronize(long stream);

  static native void streamWaitEvent(long stream, long event);

  static native long eventCreate(int device, boolean timing);

  static native void eventDestroy(long event);

  static native void eventRecord(long event, long stream);

  static native void eventSynchronize(long event);

  static native float eventElapsedMillis(long start, long end);

  // ---- memory ----
  static native long mallocAsync(long stream, long bytes);

  static native void freeAsync(long stream, long ptr);

  static native void freeSync(int device, long ptr);

  static native void memPoolTrim(int device, long keepBytes);

  static native long hostAlloc(long bytes);

  static native void hostFree(long ptr);

  /** Copies src[srcOffset, srcOffset + length) to host memory at address. */
  static native void hostWrite(long address, byte[] src, int srcOffset, int length);

  /** Copies length bytes of host memory at address into dst[dstOffset...]. */
  static native void hostRead(long address, byte[] dst, int dstOffset, int length);

  /** kind: 1 host to device, 2 device to host, 3 device to device (dw_copy_kind). */
  static native void memcpyAsync(long stream, long dst, long src, long bytes, int kind);

  // ---- kernels ----
  static native void copyKernel(long stream, long dst, long src, long bytes);

  static native void copyKernelTuned(long stream, long dst, long src, long bytes, int unroll, int blocks);

  static native void addScalarF32(long stream, long address, long count, float value);

  // ---- graphs ----
  static native void beginCapture(long stream);

  static native long endCapture(long stream);

  static native long graphNodeCount(long graph);

  static native long graphInstantiate(long graph);

  static native void graphLaunch(long exec, long stream);

  static native void graphDestroy(long graph);

  static native void graphExecDestroy(long exec);

  // ---- test hooks: used by tests only ----

  /** Launches a kernel that leaves the CUDA context unusable. Child processes only. */
  static native void testLaunchOutOfBounds(long stream);

  /** Throws exactly what a native failure with these values would throw. */
  static native void testThrowStatus(
      int status, String operation, String detail, long requested, long free, long total);

  /** Throws a C++ exception inside a JNI entry point (0 std::runtime_error, 1 bad_alloc, else an int). */
  static native void testThrowCppException(int kind);
}
