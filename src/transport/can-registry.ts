/**
 * Process-wide sharing of one physical CAN interface: several can-bus config nodes naming the same
 * device (can0, or one slcan adapter through different symlinks) share one open channel, counted
 * by leases; the last release closes it. A second user asking for different settings (another
 * bitrate on the same adapter) is refused with a reason instead of silently reconfiguring the bus.
 */
import type { CanChannel } from './can-channel';

interface Entry {
  refs: number;
  settings: string;
  channel: CanChannel;
}

const entries = new Map<string, Entry>();

export interface CanLease {
  channel: CanChannel;
  /** Idempotent; closes the channel when this was the last lease. */
  release(): Promise<void>;
}

export function acquireCanChannel(key: string, settings: string, open: () => CanChannel): CanLease {
  let entry = entries.get(key);
  if (entry && entry.settings !== settings) {
    throw new Error(`${key} is already open with ${entry.settings}; all can-bus nodes on one interface must agree`);
  }
  if (!entry) {
    entry = { refs: 0, settings, channel: open() };
    entries.set(key, entry);
  }
  entry.refs += 1;
  const held = entry;
  let released = false;
  return {
    channel: held.channel,
    release: async () => {
      if (released) return;
      released = true;
      held.refs -= 1;
      if (held.refs > 0) return;
      if (entries.get(key) === held) entries.delete(key);
      await held.channel.close();
    },
  };
}

/** Number of interfaces open in this process (leak checks in tests). */
export function openCanChannels(): number {
  return entries.size;
}
