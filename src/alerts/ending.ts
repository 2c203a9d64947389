// The messages that end an incident when the operator gives no text of their own: an all-clear
// (a CAP Update whose info has responseType AllClear) and a cancel (CAP Cancel).
import type { Alert, Info } from '../cap/types.ts';
import { referenceOf } from './prepare.ts';

const ALL_CLEAR_HEADLINE: Record<string, string> = { uk: 'Відбій тривоги', en: 'All clear' };
const ALL_CLEAR_INSTRUCTION: Record<string, string> = { uk: 'Загрозу минуло', en: 'The threat has passed' };
const CANCEL_NOTE = 'The alert was cancelled: it was issued in error.';

/** A new message continuing `current`: same areas and event, new identifier and sent. */
export function endingAlert(
  current: Alert,
  kind: 'update' | 'all-clear' | 'cancel',
  fresh: { identifier: string; sent: string; sender: string },
): Alert {
  const infos: Info[] = current.info.map((info) => {
    const copy: Info = { ...info, area: info.area.map((a) => ({ ...a })) };
    delete copy.expires;
    if (kind === 'all-clear') {
      const lang = (info.language ?? 'en').split('-')[0] ?? 'en';
      copy.responseType = ['AllClear'];
      copy.urgency = 'Past';
      copy.severity = 'Minor';
      copy.certainty = 'Observed';
      copy.headline = ALL_CLEAR_HEADLINE[lang] ?? (ALL_CLEAR_HEADLINE.en as string);
      copy.instruction = ALL_CLEAR_INSTRUCTION[lang] ?? (ALL_CLEAR_INSTRUCTION.en as string);
    }
    return copy;
  });
  const next: Alert = {
    ...current,
    identifier: fresh.identifier,
    sender: fresh.sender,
    sent: fresh.sent,
    msgType: kind === 'cancel' ? 'Cancel' : 'Update',
    references: referenceOf(current),
    info: infos,
  };
  if (kind === 'cancel') next.note = CANCEL_NOTE;
  else delete next.note;
  return next;
}
