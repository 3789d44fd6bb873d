package dev.deepwell.model;

/** Whether a step is a training step (forward + backward + optimizer) or inference (forward). */
public enum Mode { TRAINING, INFERENCE }
