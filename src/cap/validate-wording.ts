// Issue 5: an Exercise or Test message must never claim to be real. Texts are folded before
// matching so case, spacing, punctuation, invisible characters and Latin look-alikes of
// Cyrillic letters (a hostile "нaвчання" with a Latin "a") cannot slip past the check.
import type { Alert, Info } from './types.ts';

/** Phrases that claim a message is real, in English and Ukrainian (folded on use). */
export const REAL_WORDING: readonly string[] = [
  'not a drill',
  'this is not an exercise',
  'not an exercise',
  'this is not a test',
  'не навчання',
  'це не навчання',
  'не є навчанням',
  'не є навчальною',
  'не тренування',
  'це не тренування',
  'не є тренуванням',
];

// Cyrillic letters that look like Latin ones, mapped to their Latin twin (after lower-casing).
const CONFUSABLES: Readonly<Record<string, string>> = {
  а: 'a',
  в: 'b',
  е: 'e',
  і: 'i',
  ј: 'j',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  ѕ: 's',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  ї: 'i',
  ё: 'e',
};
const INVISIBLE =
  /\u00AD|\u034F|\u061C|\u115F|\u1160|\u17B4|\u17B5|[\u180B-\u180F]|[\u200B-\u200F]|[\u202A-\u202E]|[\u2060-\u206F]|[\uFE00-\uFE0F]|\uFEFF/gu;
const NON_WORD = /[^\p{L}\p{N}]+/gu;
const CYRILLIC_CONFUSABLE = /[авеіјкмнорстухѕԁԛԝїё]/gu;

/** Folds text for phrase matching: NFKC, lower case, look-alikes unified, words single-spaced. */
export function foldText(text: string): string {
  const folded = text
    .normalize('NFKC')
    .replace(INVISIBLE, '')
    .toLowerCase()
    .replace(CYRILLIC_CONFUSABLE, (ch) => CONFUSABLES[ch] ?? ch)
    .replace(NON_WORD, ' ');
  return ` ${folded.trim()} `;
}

/** Builds a matcher for a phrase list; returns the first phrase found in a text, or undefined. */
export function phraseMatcher(phrases: readonly string[]): (text: string) => string | undefined {
  const folded = phrases.map((p) => ({ phrase: p, key: foldText(p) }));
  return (text) => {
    const hay = foldText(text);
    for (const { phrase, key } of folded) if (hay.includes(key)) return phrase;
    return undefined;
  };
}

/** The texts of a message a person reads, with their paths. */
export function* readableTexts(alert: Alert): Generator<[path: string, element: string, text: string]> {
  if (alert.note !== undefined) yield ['note', 'note', alert.note];
  for (let i = 0; i < alert.info.length; i++) {
    const info = alert.info[i] as Info;
    for (const element of ['event', 'headline', 'description', 'instruction'] as const) {
      const text = info[element];
      if (text !== undefined) yield [`info[${i}].${element}`, element, text];
    }
    for (let p = 0; p < info.parameter.length; p++) {
      const parameter = info.parameter[p];
      if (parameter !== undefined) yield [`info[${i}].parameter[${p}]`, 'parameter', parameter.value];
    }
  }
}
