/**
 * Just enough of an MQTT 3.1.1 broker for tests to see what a flow publishes: accepts every
 * CONNECT, records PUBLISH packets (QoS 0/1, acknowledged), answers PINGREQ and SUBSCRIBE.
 * It forwards nothing.
 */
import * as net from 'node:net';

export interface Published { topic: string; payload: string; retain: boolean; at: number }

export interface FakeBroker { port: number; published: Published[]; close(): Promise<void> }

export async function startFakeBroker(): Promise<FakeBroker> {
  const published: Published[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        // Fixed header: type/flags byte, then the remaining length as a base-128 varint.
        let len = 0, mult = 1, i = 1;
        for (; i < buf.length && i <= 4; i++) {
          len += (buf[i] & 0x7f) * mult;
          mult *= 128;
          if (!(buf[i] & 0x80)) break;
        }
        if (i >= buf.length || buf.length < i + 1 + len) return;
        const type = buf[0] >> 4, flags = buf[0] & 0x0f;
        const body = buf.subarray(i + 1, i + 1 + len);
        buf = buf.subarray(i + 1 + len);
        if (type === 1) sock.write(Buffer.from([0x20, 2, 0, 0])); // CONNECT → CONNACK accepted
        else if (type === 3) {
          const tl = body.readUInt16BE(0);
          const qos = (flags >> 1) & 3;
          const topic = body.subarray(2, 2 + tl).toString('utf8');
          const start = 2 + tl + (qos ? 2 : 0);
          published.push({ topic, payload: body.subarray(start).toString('utf8'), retain: !!(flags & 1), at: Date.now() });
          if (qos === 1) sock.write(Buffer.from([0x40, 2, body[2 + tl], body[3 + tl]]));
        } else if (type === 8) sock.write(Buffer.from([0x90, 3, body[0], body[1], 0])); // SUBSCRIBE → SUBACK QoS 0
        else if (type === 12) sock.write(Buffer.from([0xd0, 0])); // PINGREQ → PINGRESP
        else if (type === 14) sock.end(); // DISCONNECT
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    published,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
