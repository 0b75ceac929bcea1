/**
 * Typed access to the nodes node-red-node-test-helper deployed. The helper ships untyped and spies on
 * Node.prototype, so a spy's calls mix every node: filter them by `thisValue` (see runtime.ts).
 */
import helper from 'node-red-node-test-helper';

export interface SpyCall {
  thisValue: unknown;
  args: unknown[];
}

/** A node method wrapped in a sinon spy by the test helper. */
export interface Spy {
  getCalls(): SpyCall[];
  lastCall: SpyCall;
}

/** What the tests use of a deployed node; `M` is the shape of the messages its `input` events carry. */
export interface TestNode<M = unknown> {
  id: string;
  on(event: 'input', listener: (msg: M) => void): void;
  on(event: string, listener: (...args: unknown[]) => void): void;
  receive(msg: unknown): void;
  context(): { get(key: string): unknown };
  status: Spy;
  warn: Spy;
  log: Spy;
  send: Spy;
}

/**
 * The deployed node with this id, typed as `T` (a TestNode, or the node's own fields a test reads,
 * such as a bus's `simulator`). Fails with the id when the flow has no such node.
 */
export function getNode<T = TestNode>(id: string): T {
  const node: unknown = helper.getNode(id);
  if (!node) throw new Error(`no node '${id}' is deployed`);
  return node as T;
}
