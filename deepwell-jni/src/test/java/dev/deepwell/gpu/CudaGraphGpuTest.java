package dev.deepwell.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("gpu")
class CudaGraphGpuTest {

  private static final int N = 1024;

  private CudaDevice device;
  private CudaStream stream;
  private DeviceScope scope;
  private DeviceBuffer x;
  private PinnedHostBuffer host;

  @BeforeEach
  void open() {
    TestSupport.assumeGpu();
    device = CudaDevice.get(0);
    stream = device.createStream();
    scope = DeviceScope.open(stream);
    x = scope.allocate(4L * N);
    host = scope.allocatePinned(4L * N);
  }

  @AfterEach
  void close() {
    if (scope != null) scope.close();
    if (stream != null) {
      stream.synchronize();
      stream.close();
    }
  }

  private void upload(float value) {
    ByteBuffer bb = ByteBuffer.allocate(4 * N).order(ByteOrder.nativeOrder());
    for (int i = 0; i < N; i++) bb.putFloat(i * 4, value + i);
    host.write(0, bb.array());
    stream.copyHostToDevice(host, 0, x, 0, 4L * N);
  }

  private float[] download() {
    stream.copyDeviceToHost(x, 0, host, 0, 4L * N);
    stream.synchronize();
    byte[] b = new byte[4 * N];
    host.read(0, b);
    ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
    float[] f = new float[N];
    for (int i = 0; i < N; i++) f[i] = bb.getFloat(i * 4);
    return f;
  }

  private static void assertAll(float[] f, float offset) {
    for (int i = 0; i < f.length; i++) assertThat(f[i]).as("element %d", i).isEqualTo(offset + i);
  }

  @Test
  void aCapturedSequenceRunsOnlyWhenReplayedAndThenExactly() {
    upload(0f);
    stream.synchronize();
    CudaGraph graph = scope.own(CudaGraph.capture(stream, s -> {
      for (int k = 0; k < 100; k++) DeviceKernels.addScalarF32(s, x, 0, N, 1f);
    }));
    assertThat(graph.nodeCount()).isEqualTo(100);
    assertAll(download(), 0f); // capture ran nothing

    CudaGraphExec exec = scope.own(graph.instantiate());
    graph.close(); // the instance does not need the graph
    for (int r = 0; r < 5; r++) exec.launch(stream);
    assertAll(download(), 500f);
  }

  @Test
  void aGraphWithCopiesReplaysTheWholePipeline() {
    DeviceBuffer y = scope.allocate(4L * N);
    upload(10f);
    stream.synchronize();
    CudaGraph graph = scope.own(CudaGraph.capture(stream, s -> {
      DeviceKernels.copy(s, x, 0, y, 0, 4L * N);
      DeviceKernels.addScalarF32(s, y, 0, N, 2f);
      s.copyDeviceToDevice(y, 0, x, 0, 4L * N);
    }));
    assertThat(graph.nodeCount()).isEqualTo(3);
    CudaGraphExec exec = scope.own(graph.instantiate());
    exec.launch(stream);
    exec.launch(stream);
    assertAll(download(), 14f);
  }

  @Test
  void aFailingCaptureBodyLeavesTheStreamUsable() {
    upload(0f);
    IllegalStateException planted = new IllegalStateException("planted");
    assertThatThrownBy(() -> CudaGraph.capture(stream, s -> {
      DeviceKernels.addScalarF32(s, x, 0, N, 1f);
      throw planted;
    })).isSameAs(planted);
    DeviceKernels.addScalarF32(stream, x, 0, N, 3f);
    assertAll(download(), 3f);
  }

  @Test
  void synchronisingInsideACaptureIsACudaErrorAndTheStreamRecovers() {
    upload(0f);
    stream.synchronize();
    assertThatThrownBy(() -> CudaGraph.capture(stream, CudaStream::synchronize))
        .isInstanceOf(CudaException.class)
        .isNotInstanceOf(CudaContextLostException.class);
    DeviceKernels.addScalarF32(stream, x, 0, N, 4f);
    assertAll(download(), 4f);
    assertThat(CudaErrors.contextLost()).isFalse();
  }
}
