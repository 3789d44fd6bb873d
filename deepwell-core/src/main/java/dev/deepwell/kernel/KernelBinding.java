package dev.deepwell.kernel;

import java.util.List;
import java.util.Objects;

/**
 * The kernel chosen for one op, why, and why each provider tried before it was passed over.
 *
 * @param opId     the op's id in the compiled graph
 * @param opName   the op's layer name
 * @param request  what the op needed
 * @param kernel   the chosen kernel
 * @param reason   why it was chosen
 * @param rejected "provider: reason" for each provider tried first, in chain order
 */
public record KernelBinding(int opId, String opName, KernelRequest request,
    KernelDescriptor kernel, String reason, List<String> rejected) {

  public KernelBinding {
    Objects.requireNonNull(opName, "opName");
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(kernel, "kernel");
    Objects.requireNonNull(reason, "reason");
    rejected = List.copyOf(rejected);
  }

  public KernelProvider provider() {
    return kernel.provider();
  }
}
