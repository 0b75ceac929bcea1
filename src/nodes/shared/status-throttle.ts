/**
 * A node status that changes at most once per `everyMs` while its colour and shape stay the same
 * (every write goes to every open editor); a change of colour or shape always shows at once.
 */
import type { Node, NodeStatus } from 'node-red';
import type { Clock } from '../../core/clock';

export class StatusThrottle {
  private shown: NodeStatus = {};
  private shownAt = 0;

  constructor(
    private readonly node: Node,
    private readonly clock: Clock,
    private readonly everyMs = 1000,
  ) {}

  /** Shows `status` now. */
  show(status: NodeStatus): void {
    this.shown = status;
    this.shownAt = this.clock.now();
    this.node.status(status);
  }

  /** Shows `status` unless one of the same colour and shape was shown less than `everyMs` ago. */
  update(status: NodeStatus): void {
    const same = status.fill === this.shown.fill && status.shape === this.shown.shape;
    if (same && this.clock.now() - this.shownAt < this.everyMs) return;
    this.show(status);
  }
}
