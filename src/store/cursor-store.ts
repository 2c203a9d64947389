// Durable-channel cursors (issue 8): the seq of the last event each outbound channel (webhooks,
// MQTT, Web Push) has taken into its own durable state. One row per channel name.

export interface CursorStore {
  /** The stored seq of `channel`; undefined when the channel never stored one. */
  getCursor(channel: string): Promise<number | undefined>;
  /** Stores `seq` for `channel`; never moves a cursor backwards. */
  setCursor(channel: string, seq: number, nowMs: number): Promise<void>;
}
