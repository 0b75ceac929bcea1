/**
 * Acceptance: the Seplos V3 simulator is a V3 pack to other tools. A client that follows
 * dbus-serialbattery's detection and poll sequence (test/helpers/seplos-v3-peer-client.ts) talks to
 * the simulator over a real pty pair at 19200 baud: it finds the pack by its manufacturer text at the
 * address where it is (not at the empty addresses before it), and every read of its poll is answered
 * with values that match the simulated pack, read the way that peer reads them.
 */
import { strict as assert } from 'node:assert';
import { createSeplosV3Simulator } from '../../src/nodes/seplos/simulator';
import { runSimulatorOnSerialPort, type SimulatorRun } from '../../src/transport/simulator-runner';
import { createPtyPair, socatAvailable, type PtyPair } from '../helpers/pty';
import { PEER_BAUD, SeplosV3PeerClient } from '../helpers/seplos-v3-peer-client';

describe('Seplos V3 simulator found and read by a peer client over a pty', function () {
  this.timeout(20000);
  let pty: PtyPair | undefined;
  let device: SimulatorRun | undefined;
  let client: SeplosV3PeerClient | undefined;

  before(function () {
    if (!socatAvailable()) this.skip();
  });
  beforeEach(async () => {
    pty = await createPtyPair();
    device = await runSimulatorOnSerialPort({
      path: pty.b,
      baudRate: PEER_BAUD,
      factory: createSeplosV3Simulator,
      options: { addresses: [2], cells: 16, capacityAh: 280 },
    });
    client = await SeplosV3PeerClient.open(pty.a);
  });
  afterEach(async () => {
    await client?.close().catch(() => undefined);
    await device?.close().catch(() => undefined);
    await pty?.stop();
  });

  it('detection: no answer at 0 and 1 (two tries each), then the identification reads of the pack at 2', async () => {
    const found = await client!.detect();
    assert.deepEqual(found, {
      address: 2,
      manufacturer: 'XZH-ElecTech Co.,Ltd',
      model: 'SIM16S280A-V3',
      serial: 'SIMV3-BMS-0002',
      firmware: '1.5',
    });
    assert.deepEqual(
      client!.log.map((r) => [r.address, r.start.toString(16), r.quantity, r.outcome]),
      [
        [0, '1700', 10, 'timeout'],
        [0, '1700', 10, 'timeout'],
        [1, '1700', 10, 'timeout'],
        [1, '1700', 10, 'timeout'],
        [2, '1700', 10, 'ok'],
        [2, '170a', 10, 'ok'],
        [2, '1715', 15, 'ok'],
        [2, '1714', 1, 'ok'],
      ],
    );
  });

  it('poll: SPA, PIA, PIB, SCA, PIC and SFA are all answered and match the pack as the peer reads them', async () => {
    const model = device!.simulator.packs.get(2)!.model;
    const poll = await client!.poll(2);
    assert.ok(poll, JSON.stringify(client!.log));
    assert.ok(client!.log.every((r) => r.outcome === 'ok'));
    const { spa, pia, pib, sca, pic, sfa } = poll;
    // Settings: sensors, cells, capacity; thresholds bracket the pack's present values.
    assert.equal(spa[0x00], 4);
    assert.equal(spa[0x01], 16);
    assert.equal(spa[0x59] / 100, 280);
    const maxCellMv = Math.max(...pib.slice(0, 16));
    const minCellMv = Math.min(...pib.slice(0, 16));
    assert.ok(spa[0x0d] > maxCellMv, `cell OVP ${spa[0x0d]} mV above the highest cell ${maxCellMv} mV`);
    assert.ok(spa[0x11] < minCellMv, `cell UVP ${spa[0x11]} mV below the lowest cell ${minCellMv} mV`);
    assert.equal(spa[0x05], (spa[0x0d] * 16) / 10, 'pack OVP (10 mV) = 16 × cell OVP (mV)');
    assert.ok(spa[0x05] > pia[0] && spa[0x09] < pia[0], 'pack OVP above, pack UVP below the pack voltage');
    // Pack values at protocol resolution.
    assert.ok(Math.abs(pia[0] / 100 - model.voltage) <= 0.0101, `voltage ${pia[0] / 100} vs ${model.voltage}`);
    assert.equal(((pia[1] << 16) >> 16) / 100, model.current);
    assert.ok(Math.abs(pia[5] / 10 - model.soc) <= 0.05 + 1e-9);
    assert.deepEqual(
      pib.slice(0, 16).map((mv) => mv / 1000),
      model.cells,
    );
    assert.equal(pia[0x10], 100, 'max charge current');
    assert.ok(Math.abs((pib[0x10] - 2731) / 10 - model.temperatures[0]) <= 0.05);
    // FET coils (PIC byte 15): discharge and charge on.
    assert.equal(pic[0x78], true);
    assert.equal(pic[0x79], true);
    // Function switches the peer turns into alarms when 0: all enabled on a healthy pack.
    for (const coil of [0x02, 0x03, 0x04, 0x05, 0x06, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x14, 0x15]) {
      assert.equal(sfa[coil], true, `SFA coil 0x${coil.toString(16)}`);
    }
    for (const coil of [0x20, 0x21, 0x23, 0x24, 0x30, 0x35, 0x48, 0x49, 0x4a, 0x4b, 0x4d]) {
      assert.equal(sfa[coil], true, `SFA coil 0x${coil.toString(16)}`);
    }
    // Calendar: year low byte first, then month and day of today (UTC).
    const today = new Date();
    const bytes = Buffer.alloc(8);
    sca.forEach((word, i) => bytes.writeUInt16BE(word, i * 2));
    assert.equal(bytes.readUInt16LE(0), today.getUTCFullYear());
    assert.equal(bytes[2], today.getUTCMonth() + 1);
  });
});
