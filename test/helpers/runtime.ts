/**
 * Small utilities for node-runtime tests. The test-helper spies on Node.prototype, so a spy's
 * calls mix every node: filter them by `thisValue` to get one node's statuses or messages.
 */
import type { NodeStatus } from 'node-red';

interface SpyCall {
  thisValue: unknown;
  args: unknown[];
}
interface Spied {
  status: { getCalls(): SpyCall[] };
  send: { getCalls(): SpyCall[] };
}

export function statuses(node: unknown): NodeStatus[] {
  return (node as Spied).status
    .getCalls()
    .filter((c) => c.thisValue === node)
    .map((c) => c.args[0] as NodeStatus);
}

export function lastStatus(node: unknown): NodeStatus {
  return statuses(node).at(-1) ?? {};
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `check` every 25 ms; rejects with `what` after `ms`. */
export async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(25);
  }
}
