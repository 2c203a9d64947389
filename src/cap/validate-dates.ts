// CAP date-times (CAP 1.2 §3.3.2): "YYYY-MM-DDThh:mm:ssXzh:zm" — a numeric offset is required
// ("-00:00" for UTC, never "Z") and no fractional seconds (the CAP 1.2 schema pattern).
import { excerpt, finding } from './findings.ts';
import type { Finding } from './types.ts';

const CAP_DATE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})([+-])(\d{2}):(\d{2})$/;
// The same shape with "Z" or fractional seconds: reported as Zulu rather than as garbage.
const ZULU_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/i;
const MAX_OFFSET_MINUTES = 14 * 60;
const DAYS_PER_400_YEARS = 146_097;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Milliseconds since the epoch of a CAP date-time, or NaN when it is not one. */
export function capDateMs(text: string): number {
  const m = CAP_DATE.exec(text);
  if (m === null) return Number.NaN;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6]);
  const offset = Number(m[8]) * 60 + Number(m[9]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return Number.NaN;
  if (hour > 23 || minute > 59 || second > 59) return Number.NaN;
  if (Number(m[9]) > 59 || offset > MAX_OFFSET_MINUTES) return Number.NaN;
  // Date.UTC maps years 0-99 to 1900-1999; shift by 400 years (exactly 146,097 days) instead.
  const shift = year < 100 ? 1 : 0; // in 400-year periods
  const local =
    Date.UTC(year + shift * 400, month - 1, day, hour, minute, second) -
    shift * DAYS_PER_400_YEARS * 86_400_000;
  return local - (m[7] === '-' ? -offset : offset) * 60_000;
}

/** Checks one date element; returns its instant in ms (NaN when invalid, with a finding added). */
export function checkCapDate(text: string, path: string, out: Finding[]): number {
  const ms = capDateMs(text);
  if (Number.isNaN(ms)) {
    const value = excerpt(text);
    out.push(finding(ZULU_DATE.test(text) ? 'CAP_DATE_ZULU' : 'CAP_DATE_INVALID', path, { value }));
  }
  return ms;
}
