// How each event type looks on the map and in the legend: a colour AND a pattern, so people who
// cannot tell the colours apart can still tell the events apart (WCAG 2.1 SC 1.4.1). Colours
// from the Okabe–Ito palette; Exercise/Test alerts get their own look, never an event's colour.

export interface EventStyle {
  color: string;
  /** SVG drawn over the colour in a 12×12 tile, in `ink`. */
  tile: string;
  ink: string;
}

const stripes = '<path d="M-3 3l6-6M0 12L12 0M9 15l6-6" stroke-width="2.5"/>';
const backStripes = '<path d="M-3 9l6 6M0 0l12 12M9-3l6 6" stroke-width="2"/>';
const cross = '<path d="M0 0l12 12M12 0L0 12" stroke-width="1.6"/>';
const dots = '<circle cx="3" cy="3" r="1.8" stroke="none"/><circle cx="9" cy="9" r="1.8" stroke="none"/>';
const horizontal = '<path d="M0 3h12M0 9h12" stroke-width="2"/>';
const vertical = '<path d="M3 0v12M9 0v12" stroke-width="2"/>';
const grid = '<path d="M0 6h12M6 0v12" stroke-width="1.4"/>';
const rings = '<circle cx="6" cy="6" r="3.2" fill="none" stroke-width="1.4"/>';
const checker = '<path d="M0 0h6v6H0zM6 6h6v6H6z" stroke="none" fill-opacity=".45"/>';
const sparse = '<circle cx="6" cy="6" r="1.2" stroke="none"/>';

export const EVENT_STYLES: Record<string, EventStyle> = {
  air_raid: { color: '#d55e00', tile: stripes, ink: '#5a1f00' },
  missile: { color: '#9e1a6a', tile: cross, ink: '#ffffff' },
  drone: { color: '#e69f00', tile: dots, ink: '#4a3300' },
  artillery: { color: '#8c510a', tile: horizontal, ink: '#f6e8c3' },
  urban_combat: { color: '#cc79a7', tile: vertical, ink: '#4d1f3a' },
  chemical: { color: '#009e73', tile: checker, ink: '#00382a' },
  radiation: { color: '#f0e442', tile: rings, ink: '#4d4700' },
  power_outage: { color: '#0072b2', tile: grid, ink: '#cfe8f7' },
  infrastructure: { color: '#56b4e9', tile: backStripes, ink: '#0b3a57' },
  other: { color: '#8a8a8a', tile: sparse, ink: '#2b2b2b' },
};

const FALLBACK: EventStyle = EVENT_STYLES.other as EventStyle;

/** Exercise and Test: white with blue hatching and a dashed outline (see map.css). */
export const EXERCISE_STYLE: EventStyle = {
  color: '#eef4fb',
  tile: '<path d="M0 12L12 0" stroke-width="1.2"/><text x="1" y="5" font-size="4" stroke="none">EX</text>',
  ink: '#1f5fa8',
};

export function styleOf(event: string): EventStyle {
  return EVENT_STYLES[event] ?? FALLBACK;
}

/** The fill for a region: `url(#p-<event>)`, `url(#p-exercise)`, or the partial variant. */
export function patternId(event: string, exercise: boolean, partial: boolean): string {
  const base = exercise ? 'exercise' : EVENT_STYLES[event] ? event : 'other';
  return `p-${base}${partial ? '-part' : ''}`;
}

function tile(id: string, style: EventStyle, opacity: number): string {
  return (
    `<pattern id="${id}" patternUnits="userSpaceOnUse" width="12" height="12">` +
    `<rect width="12" height="12" fill="${style.color}" fill-opacity="${opacity}"/>` +
    `<g stroke="${style.ink}" fill="${style.ink}">${style.tile}</g></pattern>`
  );
}

/** `<defs>` content with a pattern per event type (whole and partial) and the exercise pattern. */
export function patternDefs(): string {
  const out: string[] = [];
  for (const [code, style] of Object.entries(EVENT_STYLES)) {
    out.push(tile(`p-${code}`, style, 1), tile(`p-${code}-part`, style, 0.35));
  }
  out.push(tile('p-exercise', EXERCISE_STYLE, 1), tile('p-exercise-part', EXERCISE_STYLE, 0.5));
  return out.join('');
}

/** A small legend swatch (an inline SVG using the page's shared pattern defs). */
export function swatch(fillId: string, extraClass = ''): string {
  return `<svg class="swatch ${extraClass}" viewBox="0 0 24 16" aria-hidden="true" focusable="false"><rect width="24" height="16" fill="url(#${fillId})"/></svg>`;
}
