// The signed heartbeat: "all quiet as of T, the latest seq is N". Signed once per beat and framed
// once per wire format; a client that misses two knows its line is dead (issue 6 §2).
import { compactHeartbeatText } from './compact.ts';
import { sseFrame, wsTextFrame } from './frames.ts';
import type { SignJson } from './types.ts';

export interface HeartbeatFrames {
  sse: Buffer;
  ws: Buffer;
  compactSse: Buffer;
  compactWs: Buffer;
}

export function heartbeatFrames(seq: number, time: Date, sign: SignJson): HeartbeatFrames {
  const json = sign({ type: 'heartbeat', seq, time: time.toISOString() });
  const compact = compactHeartbeatText(seq, time);
  return {
    sse: sseFrame('heartbeat', json, seq),
    ws: wsTextFrame(json),
    compactSse: sseFrame('heartbeat', compact, seq),
    compactWs: wsTextFrame(compact),
  };
}

/** Calls `beat` every `intervalMs` until stopped; the timer never holds the process open. */
export function startHeartbeat(intervalMs: number, beat: () => void): () => void {
  const timer = setInterval(beat, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
