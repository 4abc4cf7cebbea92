package io.cream.eval;

/** Always gives the same wrong answer: every task must score it 0. */
final class WrongModel extends WordModel {
  WrongModel(int contextLimit) {
    super("wrong", contextLimit);
  }

  @Override
  String reply(String promptWords) {
    return "The answer is 7, a walk in the Presidio.";
  }
}
