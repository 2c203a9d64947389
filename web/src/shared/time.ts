// Times in the viewer's own zone (the browser's), durations in words of the page's language.
import type { Lang } from './i18n.ts';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(lang: Lang, withDate: boolean): Intl.DateTimeFormat {
  const key = `${lang}:${withDate}`;
  let found = formatters.get(key);
  if (!found) {
    found = new Intl.DateTimeFormat(lang === 'uk' ? 'uk-UA' : 'en-GB', {
      hour: '2-digit',
      minute: '2-digit',
      ...(withDate ? { day: 'numeric', month: 'short' } : {}),
    });
    formatters.set(key, found);
  }
  return found;
}

/** "10:42" today, "25 Nov, 10:42" on another day (the viewer's zone). */
export function clockTime(iso: string, lang: Lang, nowMs = Date.now()): string {
  const at = new Date(iso);
  const sameDay = at.toDateString() === new Date(nowMs).toDateString();
  return formatter(lang, !sameDay).format(at);
}

/** "1 h 12 min" / "1 год 12 хв"; under a minute "<1 min". */
export function duration(ms: number, lang: Lang): string {
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  const [h, m, lt] = lang === 'uk' ? ['год', 'хв', '<1 хв'] : ['h', 'min', '<1 min'];
  if (minutes < 1) return lt;
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  const d = lang === 'uk' ? 'д' : 'd';
  const parts = [
    days > 0 ? `${days} ${d}` : '',
    hours > 0 ? `${hours} ${h}` : '',
    rest > 0 ? `${rest} ${m}` : '',
  ];
  return parts.filter((p) => p !== '').join(' ');
}

/** "1 h 12 min" for a number of seconds (statistics). */
export function seconds(s: number, lang: Lang): string {
  return duration(s * 1000, lang);
}
