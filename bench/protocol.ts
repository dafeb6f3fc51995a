// Messages between the benchmark (parent) and a worker process (bench/child.ts) over Node IPC.
import type { Incoming } from '../src/mention.js';

export type Request =
  | { id: number; type: 'receive'; items: Incoming[] }
  | { id: number; type: 'inFlight' }
  | { id: number; type: 'idsOf'; externalIds: string[] }
  | { id: number; type: 'states' }
  /** A read-only statement of the benchmark's own (figures the other requests do not give). */
  | { id: number; type: 'sql'; text: string }
  | { id: number; type: 'memory' }
  | { id: number; type: 'expect'; n: number }
  | { id: number; type: 'stop' };

export type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

/** Sent without being asked. */
export type Notice = { type: 'ready'; pid: number } | { type: 'drained'; n: number; at: number };

export interface MemoryReport {
  rss: number;
  heapUsed: number;
  external: number;
  /** Peak RSS (VmHWM) of the process so far. */
  peakRss: number;
}
