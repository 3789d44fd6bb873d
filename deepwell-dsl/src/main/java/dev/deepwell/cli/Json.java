package dev.deepwell.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;

/** The one JSON style of the CLI: pretty-printed, nulls kept (a null says "not applicable"). */
final class Json {
  static final Gson PRETTY = new GsonBuilder().setPrettyPrinting().serializeNulls().create();

  private Json() {}
}
