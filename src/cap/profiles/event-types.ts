// The event types of Tocsin's default profile (DESIGN.md): the CAP defaults the hub fills in
// when an operator sends the short form. A deployment can replace this list by configuration.
import type { Category, Certainty, ResponseType, Severity, Urgency } from '../types.ts';

/** One event type: its code (the CAP eventCode value under valueName `TOCSIN`) and CAP defaults. */
export interface EventTypeDefinition {
  code: string;
  names: Record<string, string>;
  category: Category[];
  urgency: Urgency;
  severity: Severity;
  certainty: Certainty;
  responseType: ResponseType[];
  headline: Record<string, string>;
  instruction: Record<string, string>;
}

/** The eventCode valueName that carries a Tocsin event type. */
export const TOCSIN_EVENT_CODE = 'TOCSIN';

export const DEFAULT_EVENT_TYPES: readonly EventTypeDefinition[] = [
  {
    code: 'air_raid',
    names: { uk: 'Повітряна тривога', en: 'Air raid alert' },
    category: ['Security'],
    urgency: 'Immediate',
    severity: 'Extreme',
    certainty: 'Likely',
    responseType: ['Shelter'],
    headline: { uk: 'Повітряна тривога', en: 'Air raid alert' },
    instruction: { uk: 'Негайно пройдіть в укриття', en: 'Go to a shelter now' },
  },
  {
    code: 'missile',
    names: { uk: 'Ракетна небезпека', en: 'Missile threat' },
    category: ['Security'],
    urgency: 'Immediate',
    severity: 'Extreme',
    certainty: 'Likely',
    responseType: ['Shelter'],
    headline: { uk: 'Ракетна небезпека', en: 'Missile threat' },
    instruction: { uk: 'Негайно пройдіть в укриття', en: 'Go to a shelter now' },
  },
  {
    code: 'drone',
    names: { uk: 'Загроза ударних БпЛА', en: 'Attack drone threat' },
    category: ['Security'],
    urgency: 'Immediate',
    severity: 'Severe',
    certainty: 'Likely',
    responseType: ['Shelter'],
    headline: { uk: 'Загроза ударних БпЛА', en: 'Attack drone threat' },
    instruction: { uk: 'Перейдіть в укриття', en: 'Move to a shelter' },
  },
  {
    code: 'artillery',
    names: { uk: 'Загроза артобстрілу', en: 'Artillery shelling threat' },
    category: ['Security'],
    urgency: 'Immediate',
    severity: 'Extreme',
    certainty: 'Likely',
    responseType: ['Shelter'],
    headline: { uk: 'Загроза артобстрілу', en: 'Artillery shelling threat' },
    instruction: { uk: 'Негайно пройдіть в укриття', en: 'Go to a shelter now' },
  },
  {
    code: 'urban_combat',
    names: { uk: 'Загроза вуличних боїв', en: 'Urban combat threat' },
    category: ['Security'],
    urgency: 'Immediate',
    severity: 'Extreme',
    certainty: 'Likely',
    responseType: ['Shelter'],
    headline: { uk: 'Загроза вуличних боїв', en: 'Urban combat threat' },
    instruction: { uk: 'Залишайтеся в укритті', en: 'Stay in a shelter' },
  },
  {
    code: 'chemical',
    names: { uk: 'Хімічна небезпека', en: 'Chemical hazard' },
    category: ['CBRNE'],
    urgency: 'Immediate',
    severity: 'Extreme',
    certainty: 'Likely',
    responseType: ['Shelter'],
    headline: { uk: 'Хімічна небезпека', en: 'Chemical hazard' },
    instruction: {
      uk: 'Зачиніть вікна й двері, залишайтеся в приміщенні',
      en: 'Close windows and doors and stay indoors',
    },
  },
  {
    code: 'radiation',
    names: { uk: 'Радіаційна небезпека', en: 'Radiation hazard' },
    category: ['CBRNE'],
    urgency: 'Immediate',
    severity: 'Extreme',
    certainty: 'Likely',
    responseType: ['Shelter'],
    headline: { uk: 'Радіаційна небезпека', en: 'Radiation hazard' },
    instruction: { uk: 'Залишайтеся в приміщенні', en: 'Stay indoors' },
  },
  {
    code: 'power_outage',
    names: { uk: 'Відключення електроенергії', en: 'Power outage' },
    category: ['Infra'],
    urgency: 'Expected',
    severity: 'Moderate',
    certainty: 'Observed',
    responseType: ['Prepare'],
    headline: { uk: 'Відключення електроенергії', en: 'Power outage' },
    instruction: { uk: 'Підготуйте резервне живлення', en: 'Prepare backup power' },
  },
  {
    code: 'infrastructure',
    names: { uk: 'Загроза критичній інфраструктурі', en: 'Critical infrastructure threat' },
    category: ['Infra'],
    urgency: 'Expected',
    severity: 'Severe',
    certainty: 'Likely',
    responseType: ['Monitor'],
    headline: { uk: 'Загроза критичній інфраструктурі', en: 'Critical infrastructure threat' },
    instruction: { uk: 'Стежте за повідомленнями', en: 'Follow official updates' },
  },
  {
    code: 'other',
    names: { uk: 'Інша загроза', en: 'Other hazard' },
    category: ['Other'],
    urgency: 'Expected',
    severity: 'Moderate',
    certainty: 'Possible',
    responseType: ['Monitor'],
    headline: { uk: 'Попередження', en: 'Warning' },
    instruction: { uk: 'Стежте за повідомленнями', en: 'Follow official updates' },
  },
];
