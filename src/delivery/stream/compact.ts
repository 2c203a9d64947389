// `format=compact`: one text line per region and change, small enough for a microcontroller.
//   event      `<seq> <code> <type>:<A|P|N> [<type>:<A|P|N> ...][ X]`
//   snapshot   `S <seq>` then one line per region (`<seq> <code> -` when nothing is active)
//   reset      `R <seq>` then the same lines as a snapshot
//   heartbeat  `H <seq> <unix seconds>`
// A = an alert of that type covers the whole region, P = part of it (an alert on a region below,
// or an area covering less than the whole), N = none. ` X` marks an Exercise or Test alert.
// Lines are built once per distinct subscription (regions + exercises), never per socket.
import type { StateEntry, StateView, StreamEvent, StreamTree } from './types.ts';
import { isExerciseStatus } from './types.ts';

export type RegionLevel = 'A' | 'P' | 'N';

function visible(entries: readonly StateEntry[], excludeExercises: boolean): readonly StateEntry[] {
  return excludeExercises ? entries.filter((e) => !isExerciseStatus(e.status)) : entries;
}

/** A/P/N per event type for one region, from region state. */
export function regionLevels(
  code: string,
  state: StateView,
  tree: StreamTree,
  excludeExercises: boolean,
): Map<string, RegionLevel> {
  const levels = new Map<string, RegionLevel>();
  for (const entry of visible(state.entries(code), excludeExercises)) {
    if (entry.whole) levels.set(entry.event, 'A');
    else if (levels.get(entry.event) !== 'A') levels.set(entry.event, 'P');
  }
  for (const below of state.activeCodes()) {
    if (below === code || !tree.covers(code, below)) continue;
    for (const entry of visible(state.entries(below), excludeExercises)) {
      if (!levels.has(entry.event)) levels.set(entry.event, 'P');
    }
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
