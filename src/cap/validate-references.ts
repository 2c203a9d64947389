// `<references>` (CAP 1.2 §3.2.1): space-separated "sender,identifier,sent" triplets naming the
// earlier messages this one updates, cancels, acknowledges or corrects.
import { excerpt, finding } from './findings.ts';
import type { Alert, Finding } from './types.ts';
import { capDateMs } from './validate-dates.ts';

const RESTRICTED = /[<&]/;
const WHITESPACE = /\s+/;

/** Checks every triplet of `references`; `sentMs` is this message's `sent` (NaN when invalid). */
export function checkReferences(alert: Alert, references: string, sentMs: number, out: Finding[]): void {
  const triplets = references.trim().split(WHITESPACE);
  for (let i = 0; i < triplets.length; i++) {
    const triplet = triplets[i] as string;
    const path = `references[${i}]`;
    const value = excerpt(triplet);
    const parts = triplet.split(',');
    if (parts.length !== 3) {
      const reason = `it has ${parts.length} comma-separated part${parts.length === 1 ? '' : 's'}, not 3`;
      out.push(finding('CAP_REFERENCES_MALFORMED', path, { value, reason }));
      continue;
    }
    const [sender, identifier, sent] = parts as [string, string, string];
    if (sender === '' || identifier === '' || RESTRICTED.test(sender) || RESTRICTED.test(identifier)) {
      const reason = 'sender and identifier must be non-empty and free of "<" and "&"';
      out.push(finding('CAP_REFERENCES_MALFORMED', path, { value, reason }));
      continue;
    }
    const refMs = capDateMs(sent);
    if (Number.isNaN(refMs)) {
      const reason = `"${excerpt(sent, 40)}" is not a CAP date-time (YYYY-MM-DDThh:mm:ss±hh:mm)`;
      out.push(finding('CAP_REFERENCES_MALFORMED', path, { value, reason }));
      continue;
    }
    if (sender === alert.sender && identifier === alert.identifier) {
      out.push(finding('CAP_REFERENCES_SELF', path, { value }));
    } else if (refMs > sentMs) {
      out.push(finding('CAP_REFERENCES_FUTURE', path, { value, sent: alert.sent }));
    }
  }
}
