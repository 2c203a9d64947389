// The one-action correction (issue 5 §4): a CAP Cancel of the incident carrying a standard text
// per language, filled with the time the alert was issued and the names of its regions, e.g.
// "The alert issued at 10:42 for Sumy oblast was sent in error". The texts are configuration.
import type { Alert, Info } from '../cap/types.ts';
import type { RegionTree } from '../geo/types.ts';
import type { IncidentRecord } from '../store/store.ts';
import { endingAlert } from './ending.ts';

/** Text templates by language (`uk`, `en`, ...); `{time}`, `{regions}` and `{event}` are filled in. */
export type CorrectionTexts = Readonly<Record<string, string>>;

export const DEFAULT_CORRECTION_TEXTS: CorrectionTexts = {
  uk: 'Сповіщення, надіслане о {time} для: {regions}, було помилковим. Скасовано.',
  en: 'The alert issued at {time} for {regions} was sent in error.',
};

export interface CorrectionContext {
  tree: RegionTree;
  texts: CorrectionTexts;
  identifier: string;
  sent: string;
  sender: string;
}

/** The Cancel that corrects the incident whose current alert is `current`. */
export function correctionAlert(current: Alert, incident: IncidentRecord, ctx: CorrectionContext): Alert {
  const cancel = endingAlert(current, 'cancel', {
    identifier: ctx.identifier,
    sent: ctx.sent,
    sender: ctx.sender,
  });
  // `since` is written with the hub's offset: its wall-clock time is what people saw.
  const time = /T(\d{2}:\d{2})/.exec(incident.since)?.[1] ?? incident.since;
  const fill = (lang: string, eventName: string): string => {
    const template = ctx.texts[lang] ?? ctx.texts.en ?? DEFAULT_CORRECTION_TEXTS.en ?? '';
    const regions = incident.regions
      .map((r) => {
        const names = ctx.tree.get(r.code)?.names ?? {};
        return names[lang] ?? names.en ?? r.code;
      })
      .join(', ');
    return template
      .replaceAll('{time}', time)
      .replaceAll('{regions}', regions)
      .replaceAll('{event}', eventName);
  };
  cancel.info = cancel.info.map((info): Info => {
    const lang = (info.language ?? 'en').split('-')[0]?.toLowerCase() ?? 'en';
    const text = fill(lang, info.event);
    const copy: Info = { ...info, headline: text, description: text };
    delete copy.instruction;
    return copy;
  });
  cancel.note = fill('en', current.info[0]?.event ?? '');
  return cancel;
}
