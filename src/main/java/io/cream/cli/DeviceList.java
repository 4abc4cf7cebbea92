package io.cream.cli;

import io.cream.util.UserError;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** `--devices 0,1,...`: the GPUs of a data-parallel run, rank r on GPU ids().get(r). */
record DeviceList(List<Integer> ids) {
  DeviceList {
    ids = List.copyOf(ids);
  }

  /** Parses "0,1,3"; any mistake is a UserError naming it. */
  static DeviceList parse(String text) {
    List<Integer> ids = new ArrayList<>();
    Set<Integer> seen = new HashSet<>();
    for (String part : text.split(",", -1)) {
      String s = part.strip();
      int id;
      try {
        id = Integer.parseInt(s);
      } catch (NumberFormatException e) {
        throw new UserError("--devices " + text + ": '" + s + "' is not a GPU number; give a"
            + " comma-separated list of GPU numbers such as 0,1");
      }
      UserError.require(id >= 0, "--devices " + text + ": GPU numbers start at 0, got " + id);
      UserError.require(seen.add(id), "--devices " + text + ": GPU " + id
          + " is listed twice; list each GPU once (one worker process per GPU)");
      ids.add(id);
    }
    return new DeviceList(ids);
  }

  int size() {
    return ids.size();
  }

  int get(int rank) {
    return ids.get(rank);
  }

  @Override
  public String toString() {
    return String.join(",", ids.stream().map(String::valueOf).toList());
  }
}
