/**
 * A CAN frame as CellSafe passes it around; the same shape as existing Node-RED CAN nodes use
 * for frames as messages (docs/architecture.md#can-channels).
 */
export interface CanFrame {
  id: number;
  ext: boolean;
  rtr: boolean;
  data: Buffer;
}

export function canFrame(id: number, data: number[] | Buffer, ext = false): CanFrame {
  return { id, ext, rtr: false, data: Buffer.from(data) };
}
