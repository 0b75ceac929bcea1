/**
 * A real MQTT broker (aedes) on a free loopback port for tests, recording what clients publish.
 * Broker-internal messages ($SYS, client-less publishes) are not recorded.
 */
import * as net from 'node:net';
import { Aedes } from 'aedes';

export interface Published {
  topic: string;
  payload: string;
  retain: boolean;
  at: number;
}

export interface TestBroker {
  port: number;
  published: Published[];
  close(): Promise<void>;
}

export async function startBroker(): Promise<TestBroker> {
  const published: Published[] = [];
  const broker = await Aedes.createBroker();
  broker.on('publish', (packet, client) => {
    if (!client) return;
    published.push({ topic: packet.topic, payload: packet.payload.toString(), retain: packet.retain, at: Date.now() });
  });
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    broker.handle(sock);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    published,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
    },
  };
}
