/**
 * What a user's own program does with the installed package, run by a chosen Node.js in the directory it
 * was installed into: require it, decode a frame, encode a bank, step the engine; and load serialport,
 * list ports and move bytes over a pty pair. The script prints one JSON object.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  createState,
  decodeFrame,
  encodeBank,
  resolveConfig,
  step,
  type InverterProtocolName,
  type PackProtocol,
  type PackState,
} from '../../src/index';
import { loadVectors } from './fixtures';
import { run } from './package-tarball';

export interface InstalledInput {
  protocol: string;
  /** hex */
  frame: string;
  inverter: string;
  bank: unknown;
  now: number;
  rules: unknown;
  /** [time, PackStates] per engine step */
  steps: Array<[number, unknown[]]>;
  /** Both ends of a pty pair, for the serialport check (omitted without socat). */
  pty?: { a: string; b: string };
}

export interface InstalledOutput {
  node: string;
  decoded: { ok: boolean; pack?: Record<string, unknown>; reason?: string };
  encoded: { ok: boolean; frames?: Array<{ id: number; data: string }>; reason?: string };
  bank?: Record<string, unknown>;
  /** Modules from node_modules the library entry loaded (it must load none). */
  libraryLoaded: string[];
  serialport: { list: { ok: boolean; ports?: number; error?: string }; echoed?: string };
}

const SCRIPT = `'use strict';
const input = JSON.parse(require('node:fs').readFileSync(process.argv[2], 'utf8'));
const lib = require('@cellsafe/node-red-bms');
const decoded = lib.decodeFrame(input.protocol, Buffer.from(input.frame, 'hex'));
const encoding = lib.encodeBank(input.inverter, input.bank, undefined, input.now);
const encoded = encoding.ok
  ? { ok: true, frames: encoding.frames.map((f) => ({ id: f.id, data: f.data.toString('hex') })) }
  : encoding;
const config = lib.resolveConfig(input.rules);
if (!config.ok) throw new Error(config.reason);
const state = lib.createState(config.value, 0);
let bank;
for (const [time, packs] of input.steps) bank = lib.step(state, { packs }, time).bank;
const libraryLoaded = Object.keys(require.cache).filter((f) => f.includes('node_modules') && !f.includes('@cellsafe'));

async function serialport() {
  const { SerialPort } = require('serialport');
  const list = await SerialPort.list().then(
    (ports) => ({ ok: true, ports: ports.length }),
    (e) => ({ ok: false, error: String(e.message) }),
  );
  if (!input.pty) return { list };
  const open = (p) => new Promise((resolve, reject) => {
    const port = new SerialPort({ path: p, baudRate: 9600 }, (e) => (e ? reject(e) : resolve(port)));
  });
  const a = await open(input.pty.a);
  const b = await open(input.pty.b);
  const echoed = await new Promise((resolve) => {
    let got = '';
    const timer = setTimeout(() => resolve(got), 5000);
    b.on('data', (d) => {
      got += d.toString('latin1');
      if (got.length >= 8) { clearTimeout(timer); resolve(got); }
    });
    a.write('cellsafe');
  });
  await Promise.all([a, b].map((port) => new Promise((resolve) => port.close(() => resolve()))));
  return { list, echoed };
}

serialport().then((serial) => {
  console.log(JSON.stringify({ node: process.version, decoded, encoded, bank, libraryLoaded, serialport: serial }));
});
`;

/** Runs the check with `node` in `dir` (where the tarball was installed). */
export async function checkInstalledPackage(
  dir: string,
  node: string,
  env: NodeJS.ProcessEnv,
  input: InstalledInput,
): Promise<InstalledOutput> {
  const file = path.join(dir, 'cellsafe-installed-check.js');
  const inputFile = path.join(dir, 'cellsafe-installed-check-input.json');
  fs.writeFileSync(file, SCRIPT);
  fs.writeFileSync(inputFile, JSON.stringify(input));
  const result = await run(node, [file, inputFile], { cwd: dir, env, timeoutMs: 60_000 });
  if (result.code !== 0) throw new Error(`installed-package check failed (${result.code}):\n${result.stderr}`);
  return JSON.parse(result.stdout) as InstalledOutput;
}

type VectorEntry = { protocol: string; direction: string; raw: string };

/** One captured frame, a bank, and ten simulated minutes of one healthy pack for the engine. */
export function libraryInput(pty?: { a: string; b: string }): InstalledInput {
  const vector = loadVectors<VectorEntry>('seplos').find(
    (v) => v.protocol === 'seplos-v3' && v.direction === 'response' && decodeFrame('seplos-v3', v.raw).ok,
  );
  if (!vector) throw new Error('no decodable Seplos V3 vector');
  const pack = (time: number) => ({
    kind: 'pack',
    id: 'P1',
    protocol: 'jk-pb',
    time,
    voltage: 53.1,
    // a live BMS: readings move a little (bit-identical data while current flows counts as frozen)
    current: 12 + ((time / 1000) % 2) / 10,
    soc: 64,
    cells: Array(16).fill(3.32 + ((time / 1000) % 2) / 1000),
    temperatures: [24],
    chargeAllowed: true,
    dischargeAllowed: true,
    alarms: {},
  });
  const steps: Array<[number, unknown[]]> = [];
  for (let t = 0; t <= 600_000; t += 1000) steps.push([t, [pack(t)]]);
  return {
    protocol: 'seplos-v3',
    frame: vector.raw,
    inverter: 'pylontech',
    bank: { cvl: 55.2, ccl: 100, dcl: 150, soc: 64, voltage: 53.1, current: 12, temperature: 24 },
    now: 1_700_000_000_000,
    rules: { cellsSeries: 16, packs: [{ id: 'P1', capacityAh: 280, maxChargeA: 100, maxDischargeA: 150 }] },
    steps,
    pty,
  };
}

/** What the sources give for the same input, in the shape the script prints (JSON, no decode time). */
export function expectedFromSources(input: InstalledInput) {
  const decoded = decodeFrame(input.protocol as PackProtocol, Buffer.from(input.frame, 'hex'));
  const encoding = encodeBank(input.inverter as InverterProtocolName, input.bank, undefined, input.now);
  const config = resolveConfig(input.rules);
  if (!config.ok) throw new Error(config.reason);
  const state = createState(config.value, 0);
  let bank: unknown;
  for (const [time, packs] of input.steps) bank = step(state, { packs: packs as PackState[] }, time).bank;
  return JSON.parse(
    JSON.stringify({
      decoded: decoded.ok ? { ok: true, pack: { ...decoded.pack, time: undefined } } : decoded,
      encoded: encoding.ok
        ? { ok: true, frames: encoding.frames.map((f) => ({ id: f.id, data: f.data.toString('hex') })) }
        : encoding,
      bank,
    }),
  ) as Pick<InstalledOutput, 'decoded' | 'encoded' | 'bank'>;
}
