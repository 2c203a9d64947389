// `format=compact`: one text line per region and change, small enough for a microcontroller.
//   event      `<seq> <code> <type>:<level> [<type>:<level> ...][ X]`
//   snapshot   `S <seq>` then one line per region (`<seq> <code> -` when nothing is active)
//   reset      `R <seq>` then the same lines as a snapshot
//   heartbeat  `H <seq> <unix seconds>`
// Levels: A = an Actual alert of that type covers the whole region, P = part of it (an alert on
// a region below, or an area covering less than the whole), N = none; lower-case a / p when only
// Exercise or Test alerts make that level, so a drill never looks like the real thing on a
// device (issue 5 §3). ` X` marks a change made by an Exercise or Test alert.
// Lines are built once per distinct subscription (regions + exercises), never per socket.
import type { StateEntry, StateView, StreamEvent, StreamTree } from './types.ts';
import { isExerciseStatus } from './types.ts';

export type RegionLevel = 'A' | 'P' | 'N' | 'a' | 'p';

const RANK: Record<RegionLevel, number> = { N: 0, p: 1, a: 2, P: 3, A: 4 };

function levelOf(entry: StateEntry, whole: boolean): RegionLevel {
  const exercise = isExerciseStatus(entry.status);
  if (whole) return exercise ? 'a' : 'A';
  return exercise ? 'p' : 'P';
}

/** A/P/N (a/p for drills) per event type for one region, from region state. */
export function regionLevels(
  code: string,
  state: StateView,
  tree: StreamTree,
  excludeExercises: boolean,
): Map<string, RegionLevel> {
  const levels = new Map<string, RegionLevel>();
  const raise = (entry: StateEntry, whole: boolean) => {
    if (excludeExercises && isExerciseStatus(entry.status)) return;
    const level = levelOf(entry, whole);
    const known = levels.get(entry.event);
    if (known === undefined || RANK[level] > RANK[known]) levels.set(entry.event, level);
  };
  for (const entry of state.entries(code)) raise(entry, entry.whole);
  for (const below of state.activeCodes()) {
    if (below === code || !tree.covers(code, below)) continue;
    for (const entry of state.entries(below)) raise(entry, false);
  }
  return levels;
}

function regionLine(
  seq: number,
  code: string,
  state: StateView,
  tree: StreamTree,
  excludeExercises: boolean,
  changedType?: string,
): string {
  const levels = regionLevels(code, state, tree, excludeExercises);
  if (changedType && !levels.has(changedType)) levels.set(changedType, 'N');
  if (levels.size === 0) return `${seq} ${code} -`;
  const parts = [...levels].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([t, l]) => `${t}:${l}`);
  return `${seq} ${code} ${parts.join(' ')}`;
}

/** Lines for one event and one subscription; '' when none of its regions is touched. */
export function compactEventText(
  event: StreamEvent,
  codes: readonly string[] | null,
  state: StateView,
  tree: StreamTree,
  excludeExercises: boolean,
): string {
  const touched =
    codes === null
      ? event.regions
      : codes.filter((code) => event.regions.some((r) => tree.covers(r, code) || tree.covers(code, r)));
  const mark = isExerciseStatus(event.status) ? ' X' : '';
  return touched
    .map(
      (code) =>
        regionLine(event.seq, code, state, tree, excludeExercises, event.eventType || undefined) + mark,
    )
    .join('\n');
}

/** The snapshot (or reset) block for one subscription. */
export function compactSnapshotText(
  kind: 'S' | 'R',
  seq: number,
  codes: readonly string[] | null,
  state: StateView,
  tree: StreamTree,
  excludeExercises: boolean,
): string {
  const regions = codes ?? state.activeCodes();
  const lines = [`${kind} ${seq}`];
  for (const code of regions) lines.push(regionLine(seq, code, state, tree, excludeExercises));
  return lines.join('\n');
}

export function compactHeartbeatText(seq: number, time: Date): string {
  return `H ${seq} ${Math.floor(time.getTime() / 1000)}`;
}
