/**
 * Keeps the engine state the node persists (see `persistable`) in the node context: read once at start,
 * written when it changed or at least every minute while it holds, and on close.
 */
import type { Node, NodeAPI } from 'node-red';
import type { EngineState } from './engine';
import { persistable } from './engine';
import { persistentStore } from './context-store';

const CONTEXT_KEY = 'bmsRules';
const PERSIST_EVERY_MS = 60_000;

export class StatePersistence {
  /** the persistent context store, undefined when settings.js configures none */
  readonly store: string | undefined;
  private lastSaved = '';
  private lastSavedAt = 0;
  private readonly context: ReturnType<Node['context']>;

  constructor(
    private readonly node: Node,
    private readonly RED: NodeAPI,
  ) {
    this.context = node.context();
    this.store = persistentStore((RED.settings as unknown as Record<string, unknown>).contextStorage);
  }

  /** What the store gave back (checked by the engine), or undefined; warns when nothing will persist. */
  restore(): unknown {
    let restored: unknown;
    try {
      restored = this.context.get(CONTEXT_KEY, this.store);
    } catch (err) {
      // a store without synchronous access (cache: false): start from the data, say why
      const params = { store: String(this.store), reason: (err as Error).message };
      this.node.warn(this.RED._('bmsRules.log.storeRead', params));
    }
    if (!this.store) this.node.warn(this.RED._('bmsRules.log.notPersisted'));
    return restored;
  }

  save(state: EngineState, now: number, force: boolean): void {
    const persisted = persistable(state, now);
    if (!persisted) return; // INIT with nothing restored: nothing known yet
    const key = JSON.stringify({ ...persisted, savedAt: 0 });
    if (!force && key === this.lastSaved && now - this.lastSavedAt < PERSIST_EVERY_MS) return;
    this.lastSaved = key;
    this.lastSavedAt = now;
    this.context.set(CONTEXT_KEY, persisted, this.store, (err?: Error) => {
      if (err)
        this.node.warn(this.RED._('bmsRules.log.storeWrite', { store: String(this.store), reason: err.message }));
    });
  }
}
