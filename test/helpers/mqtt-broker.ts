/**
 * A real MQTT broker (aedes) on a free loopback port for tests, recording what clients publish.
 * Broker-internal messages ($SYS, client-less publishes) are not recorded. Given a port, it listens
 * there: closing it and starting it again on the same port is a broker outage for its clients.
 */
import * as net from 'node:net';
import { Aedes } from 'aedes';

export interface Published {
  topic: string;
  payload: string;
  retain: boolean;
  qos: number;
  at: number;
}

export interface TestBroker {
  port: number;
  published: Published[];
  /** Publishes as the broker itself (not recorded), e.g. a retained message left by an earlier publisher. */
  publish(topic: string, payload: string, retain: boolean): Promise<void>;
  close(): Promise<void>;
}

export async function startBroker(port = 0): Promise<TestBroker> {
  const published: Published[] = [];
  const broker = await Aedes.createBroker();
  broker.on('publish', (packet, client) => {
    if (!client) return;
    const { topic, retain, qos } = packet;
    published.push({ topic, payload: packet.payload.toString(), retain, qos, at: Date.now() });
  });
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    broker.handle(sock);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject); // e.g. the port of a restart still taken
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    published,
    publish: (topic, payload, retain) =>
      new Promise<void>((resolve, reject) =>
        broker.publish({ cmd: 'publish', topic, payload: Buffer.from(payload), qos: 1, retain, dup: false }, (err) =>
          err ? reject(err) : resolve(),
        ),
      ),
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
    },
  };
}
