/**
 * The Node-RED side every BMS node shares: createNode, settings migrated to today's names, the input
 * handler (a refusal or failure ends the message with an error a Catch node sees) and close releasing
 * whatever the node set up. A node file supplies only `setup`: its protocol wiring.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import type { BusStatus, BusUser, SerialBusApi } from '../../transport/bus-api';
import { migrate, type Migration } from './bms-settings';

export type Send = (msg: Array<NodeMessage | null>) => void;

/** What a node's setup hands to the shell. */
export interface BmsNodeParts {
  /** One input message; throwing or rejecting ends it with that error, returning ends it cleanly. */
  input(msg: NodeMessage & { payload?: unknown }, send: Send): void | Promise<void>;
  /** Releases ports, timers and listeners. */
  close(): void;
}

/** `setup` returns undefined when the node cannot run (its status already says why). */
export type BmsNodeSetup<C> = (node: Node, config: C) => BmsNodeParts | undefined;

const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

export function registerBmsNode<C extends NodeDef>(
  RED: NodeAPI,
  type: string,
  migrations: readonly Migration[],
  setup: BmsNodeSetup<C>,
): void {
  function BmsNode(this: Node, saved: C) {
    RED.nodes.createNode(this, saved);
    const parts = setup(this, migrate(saved, migrations));
    if (!parts) return;
    this.on('input', (msg, send, done) => {
      let pending: void | Promise<void>;
      try {
        pending = parts.input(msg, send);
      } catch (e) {
        done(asError(e));
        return;
      }
      if (pending)
        pending.then(
          () => done(),
          (e: unknown) => done(asError(e)),
        );
      else done();
    });
    this.on('close', (_removed: boolean, done: () => void) => {
      try {
        parts.close();
      } finally {
        done();
      }
    });
  }
  RED.nodes.registerType(type, BmsNode as unknown as Parameters<NodeAPI['nodes']['registerType']>[1]);
}

/** Red ring with a status key, plus an error in the log. */
export function failStatus(node: Node, key: string, detail: string): void {
  node.status({ fill: 'red', shape: 'ring', text: key });
  node.error(detail);
}

/** The node's bus config node, or null after a red "no bus" status (`<ns>.status.noBus`). */
export function findBus(RED: NodeAPI, node: Node, busId: string, ns: string): SerialBusApi | null {
  const bus = RED.nodes.getNode(busId) as unknown as SerialBusApi | null;
  if (!bus) failStatus(node, `${ns}.status.noBus`, RED._(`${ns}.errors.noBus`));
  return bus;
}

/** Registers the node as a user of the bus (its status follows the port); returns the release. */
export function useBus(bus: SerialBusApi, nodeId: string, busStatus: (status: BusStatus) => void): () => void {
  const user: BusUser = { id: nodeId, busStatus };
  bus.register(user);
  return () => bus.deregister(user);
}

/** Pack ids "<prefix>-<address>"; the prefix is the setting, else the node name, else `fallback`. */
export function packIds(
  idPrefix: string | undefined,
  name: string | undefined,
  fallback: string,
): (address: number) => string {
  const prefix = (idPrefix || name || fallback).trim();
  return (address) => `${prefix}-${address}`;
}
