package dev.deepwell.dryrun;

import dev.deepwell.kernel.OpCost;
import java.util.List;

/**
 * Roofline time of one step, split by pass and by kind of work.
 *
 * @param forwardSeconds   sum of the forward ops' times
 * @param backwardSeconds  backward estimate (training), see {@link StepTimeModel}
 * @param recomputeSeconds forward time of the recomputed blocks, run again in backward
 * @param gemmSeconds      forward + backward + recompute time of GEMMs
 * @param attentionSeconds the same for attention
 * @param otherSeconds     the same for every other (memory-bound) op
 * @param forwardCosts     each forward op's cost
 */
public record StepTime(double forwardSeconds, double backwardSeconds, double recomputeSeconds,
    double gemmSeconds, double attentionSeconds, double otherSeconds, List<OpCost> forwardCosts) {

  public StepTime {
    forwardCosts = List.copyOf(forwardCosts);
  }

  public double totalSeconds() {
    return forwardSeconds + backwardSeconds + recomputeSeconds;
  }
}
