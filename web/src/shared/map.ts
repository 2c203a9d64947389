// The SVG map: region shapes from /v1/regions.topojson, projected once (equirectangular,
// stretched by cos of the middle latitude: true enough for one country), drawn as one SVG.
// Each region is a link (public map: keyboard focus, Enter opens the region page) or a plain
// clickable shape (console: the searchable list beside it is the keyboard path).
import { feature } from 'topojson-client';
import type { Topology } from 'topojson-specification';
import { patternDefs } from './event-styles.ts';

export interface RegionLook {
  /** Pattern id of the fill (patternId()); undefined: quiet. */
  fill: string | undefined;
  event: string | undefined;
  exercise: boolean;
  label: string;
}

export interface MapView {
  /** Sets fill and label of every region drawn. */
  paint(look: (code: string) => RegionLook): void;
  /** Marks regions as selected (console). */
  select(codes: ReadonlySet<string>): void;
  codes(): string[];
  /** Changes the map's accessible name (language switch). */
  label(text: string): void;
}

export interface MapOptions {
  label: string;
  /** Public map: each region links here. */
  href?: (code: string) => string;
  /** Console: a click on a region. */
  onClick?: (code: string) => void;
}

type Ring = [number, number][];
interface Shape {
  code: string;
  polygons: Ring[][];
}

const WIDTH = 1000;

/** Puts the shared pattern definitions in the document once (the map and the legends use them). */
export function ensurePatternDefs(): void {
  if (document.getElementById('tocsin-patterns')) return;
  const holder = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  holder.id = 'tocsin-patterns';
  holder.setAttribute('aria-hidden', 'true');
  holder.setAttribute('focusable', 'false');
  holder.setAttribute('class', 'pattern-defs');
  holder.innerHTML = `<defs>${patternDefs()}</defs>`;
  document.body.prepend(holder);
}

function shapesOf(topology: Topology): Shape[] {
  const object = Object.values(topology.objects)[0];
  if (!object) return [];
  const collection = feature(topology, object) as unknown as {
    features: {
      id?: string;
      properties?: { code?: string };
      geometry: { type: string; coordinates: unknown };
    }[];
  };
  return collection.features.map((f) => {
    const code = String(f.properties?.code ?? f.id ?? '');
    const g = f.geometry;
    const polygons = (g.type === 'Polygon' ? [g.coordinates] : g.coordinates) as Ring[][];
    return { code, polygons };
  });
}

/** Draws the map into `container`; returns the handle that repaints it. */
export function drawMap(container: HTMLElement, topology: Topology, options: MapOptions): MapView {
  ensurePatternDefs();
  const shapes = shapesOf(topology);
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const s of shapes)
    for (const polygon of s.polygons)
      for (const ring of polygon)
        for (const [x, y] of ring) {
          if (x < minX) minX = x;
          if (x > maxX) maxX = x;
          if (y < minY) minY = y;
          if (y > maxY) maxY = y;
        }
  const kx = Math.cos((((minY + maxY) / 2) * Math.PI) / 180);
  const scale = WIDTH / ((maxX - minX) * kx || 1);
  const height = Math.ceil((maxY - minY) * scale);
  const px = (x: number) => (((x - minX) * kx * scale * 10) | 0) / 10;
  const py = (y: number) => (((maxY - y) * scale * 10) | 0) / 10;
  const pathOf = (s: Shape) =>
    s.polygons
      .map((polygon) =>
        polygon.map((ring) => `M${ring.map(([x, y]) => `${px(x)},${py(y)}`).join('L')}Z`).join(''),
      )
      .join('');

  const parts = shapes.map((s) => {
    const path = `<path class="region" d="${pathOf(s)}"/>`;
    if (options.href)
      return `<a class="region-link" href="${options.href(s.code)}" data-code="${s.code}">${path}</a>`;
    return `<g class="region-pick" data-code="${s.code}">${path}</g>`;
  });
  container.innerHTML =
    `<svg class="map" viewBox="-4 -4 ${WIDTH + 8} ${height + 8}" role="group" aria-label="${options.label}">` +
    `${parts.join('')}</svg>`;
  const svg = container.firstElementChild as SVGSVGElement;
  const nodes = new Map<string, SVGElement>();
  for (const node of svg.querySelectorAll<SVGElement>('[data-code]'))
    nodes.set(node.dataset.code as string, node);
  if (options.onClick) {
    const onClick = options.onClick;
    svg.addEventListener('click', (event) => {
      const node = (event.target as Element).closest<SVGElement>('[data-code]');
      if (node?.dataset.code) onClick(node.dataset.code);
    });
  }

  return {
    paint(look) {
      for (const [code, node] of nodes) {
        const l = look(code);
        const path = node.firstElementChild as SVGPathElement;
        path.setAttribute('fill', l.fill ? `url(#${l.fill})` : '');
        if (l.fill) path.style.fill = `url(#${l.fill})`;
        else path.style.removeProperty('fill');
        node.dataset.event = l.event ?? '';
        node.dataset.exercise = String(l.exercise);
        if (options.href) node.setAttribute('aria-label', l.label);
        else {
          let title = node.querySelector<SVGTitleElement>('title');
          if (!title) {
            title = document.createElementNS('http://www.w3.org/2000/svg', 'title');
            node.prepend(title);
          }
          title.textContent = l.label;
        }
      }
    },
    select(codes) {
      for (const [code, node] of nodes) node.classList.toggle('selected', codes.has(code));
    },
    codes: () => [...nodes.keys()],
    label(text) {
      svg.setAttribute('aria-label', text);
    },
  };
}
