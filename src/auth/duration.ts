// Durations on the command line and in requests: `90s`, `15m`, `12h`, `30d`.
const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds of a duration like `30d`, or undefined when malformed. At most 10 years. */
export function parseDuration(text: string): number | undefined {
  const match = /^([1-9][0-9]{0,5})([smhd])$/.exec(text.trim());
  if (!match) return undefined;
  const ms = Number(match[1]) * (UNITS[match[2] as string] as number);
  return ms <= 3650 * 86_400_000 ? ms : undefined;
}
