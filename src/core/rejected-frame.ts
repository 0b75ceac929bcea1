/**
 * A frame arrived but could not be trusted (checksum, length, range, error answer, implausible
 * pack). Thrown by the pack readers so the node counts it apart from silence (a timeout).
 */
export class RejectedFrame extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'RejectedFrame';
  }
}
