package dev.deepwell.kernel.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLConnection;
import java.net.URLStreamHandler;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GemmBenchmarksTest {

  /** A provider the lookup can instantiate. */
  public static final class FakeProvider implements GemmBenchmarkProvider {
    @Override
    public String name() {
      return "fake";
    }

    @Override
    public Optional<String> unavailableReason() {
      return Optional.of("fake has no GPU");
    }

    @Override
    public List<GemmBenchResult> run(GemmBenchSpec spec, Listener listener) {
      throw new IllegalStateException("fake");
    }
  }

  /** Serves one services file with {@code content} for the provider interface. */
  static ClassLoader servicesSaying(String content) {
    String name = "META-INF/services/" + GemmBenchmarkProvider.class.getName();
    return new ClassLoader(GemmBenchmarksTest.class.getClassLoader()) {
      @Override
      public Enumeration<URL> getResources(String resource) throws IOException {
        if (!resource.equals(name)) {
          return super.getResources(resource);
        }
        URL url = new URL(null, "mem:" + name, new URLStreamHandler() {
          @Override
          protected URLConnection openConnection(URL u) {
            return new URLConnection(u) {
              @Override
              public void connect() {}

              @Override
              public InputStream getInputStream() {
                return new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8));
              }
            };
          }
        });
        return Collections.enumeration(List.of(url));
      }
    };
  }

  @Test
  void withoutAProviderTheLookupSaysSo() {
    GemmBenchmarks.Lookup l = GemmBenchmarks.find(servicesSaying(""));
    assertThat(l.provider()).isEmpty();
    assertThat(l.reason()).isEqualTo(GemmBenchmarks.NO_PROVIDER);
  }

  @Test
  void theFirstProviderThatLoadsIsFoundAndBrokenOnesAreReasons() {
    GemmBenchmarks.Lookup ok = GemmBenchmarks.find(servicesSaying(FakeProvider.class.getName() + "\n"));
    assertThat(ok.provider()).get().extracting(GemmBenchmarkProvider::name).isEqualTo("fake");
    GemmBenchmarks.Lookup broken = GemmBenchmarks.find(servicesSaying("dev.deepwell.NoSuchProvider\n"));
    assertThat(broken.provider()).isEmpty();
    assertThat(broken.reason()).startsWith("GEMM benchmark failed to load: ").contains("NoSuchProvider");
  }
}
