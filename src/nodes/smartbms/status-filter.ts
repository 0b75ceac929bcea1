/**
 * One wrong bit in status byte 1 can switch a charger or inverter (123electric's
 * own driver votes over 3 frames). We filter fail-safe instead of by majority: a permission counts
 * only when the last 3 frames all grant it, an alarm counts when any of the last 3 frames has it.
 * So a bad state shows on the very next frame and a good state needs 3 frames in a row.
 */
import { STATUS1 } from './protocol-smartbms';

export const FILTER_FRAMES = 3;
const PERMISSIONS = STATUS1.allowedToCharge | STATUS1.allowedToDischarge;

export class StatusFilter {
  private history: number[] = [];

  add(status1: number): void {
    this.history.push(status1);
    if (this.history.length > FILTER_FRAMES) this.history.shift();
  }

  /** Status byte 1 as the node should act on it: permissions AND-ed, alarm bits OR-ed. */
  get filtered(): number {
    if (this.history.length < FILTER_FRAMES) return this.alarmBits(); // no permission without 3 frames
    const granted = this.history.reduce((acc, s) => acc & s, PERMISSIONS);
    return granted | this.alarmBits();
  }

  clear(): void {
    this.history = [];
  }

  private alarmBits(): number {
    return this.history.reduce((acc, s) => acc | s, 0) & ~PERMISSIONS & 0xff;
  }
}
