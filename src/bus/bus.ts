// How a committed event reaches every part of every node: in-process (memory.ts) or NATS
// JetStream (nats.ts). Only committed, signed events travel; the bytes are the event as issued.

/** A committed event as it travels: routing fields plus the signed JSON, serialised once. */
export interface BusEvent {
  seq: number;
  id: string;
  type: string;
  regions: string[];
  /** The signed event JSON exactly as stored in the event log. */
  json: string;
}

export type BusHandler = (event: BusEvent) => void;

export interface Bus {
  /** Hands a committed event to every subscriber (of every node). */
  publish(event: BusEvent): Promise<void>;
  /** Subscribes to every event published from now on; returns the unsubscribe function. */
  subscribe(handler: BusHandler): () => void;
  close(): Promise<void>;
}
