import { el, svg } from './dom.js';

export interface Series {
  name: string;
  values: number[];
}

export interface BarChartInput {
  title: string;
  categories: string[];
  /** Stacked per category, bottom first. */
  series: Series[];
  format: (value: number) => string;
  testId?: string;
}

const WIDTH = 640;
const HEIGHT = 240;
const PAD = { top: 16, right: 12, bottom: 44, left: 64 };

/** A stacked bar chart as inline SVG (no library: the page loads nothing from elsewhere). */
export function barChart(input: BarChartInput): HTMLElement {
  const { categories, series } = input;
  const totals = categories.map((_, i) => series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const max = niceMax(Math.max(0, ...totals));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const slot = categories.length === 0 ? plotW : plotW / categories.length;
  const barW = Math.max(2, Math.min(48, slot * 0.7));
  const y = (v: number) => PAD.top + plotH - (max === 0 ? 0 : (v / max) * plotH);

  const chart = svg('svg', {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    class: 'chart',
    role: 'img',
    'aria-label': input.title,
    'data-testid': input.testId,
  });
  chart.appendChild(svg('title', {}, input.title));
  for (const tick of [0, 0.5, 1]) {
    const v = max * tick;
    chart.appendChild(
      svg('line', { class: 'grid', x1: PAD.left, x2: WIDTH - PAD.right, y1: y(v), y2: y(v) }),
    );
    chart.appendChild(
      svg('text', { class: 'axis', x: PAD.left - 6, y: y(v) + 4, 'text-anchor': 'end' }, input.format(v)),
    );
  }
  categories.forEach((category, i) => {
    const x = PAD.left + i * slot + (slot - barW) / 2;
    let base = 0;
    series.forEach((s, k) => {
      const value = s.values[i] ?? 0;
      if (value <= 0) return;
      const top = y(base + value);
      chart.appendChild(
        svg(
          'rect',
          {
            class: `bar series-${k % 6}`,
            x,
            y: top,
            width: barW,
            height: y(base) - top,
            'data-value': value,
          },
          svg('title', {}, `${category} · ${s.name}: ${input.format(value)}`),
        ),
      );
      base += value;
    });
    // Label every category when they fit, else about eight of them.
    const every = Math.max(1, Math.ceil(categories.length / 8));
    if (i % every === 0)
      chart.appendChild(
        svg(
          'text',
          { class: 'axis', x: x + barW / 2, y: HEIGHT - PAD.bottom + 16, 'text-anchor': 'middle' },
          shorten(category),
        ),
      );
  });
  const legend = el(
    'ul',
    { class: 'legend' },
    ...series.map((s, k) => el('li', {}, el('span', { class: `swatch series-${k % 6}` }), s.name)),
  );
  return el('figure', { class: 'chart-box' }, el('figcaption', {}, input.title), chart, legend);
}

function niceMax(value: number): number {
  if (value <= 0) return 0;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  const steps = [1, 2, 2.5, 5, 10];
  const step = steps.find((s) => s * magnitude >= value) ?? 10;
  return step * magnitude;
}

function shorten(label: string): string {
  return label.length > 14 ? `${label.slice(0, 13)}…` : label;
}
