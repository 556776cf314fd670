/** A child of an element: a node, or text (always inserted as a text node, never parsed as HTML). */
export type Child = Node | string | number | null | undefined | false;

type Attributes = Record<string, string | number | boolean | null | undefined>;

/**
 * Builds an element. Sandbox output reaches the page only through here and `text`: strings become text nodes
 * and attribute values, event-handler attributes are refused, so data can never become markup or script.
 */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  setAttributes(node, attributes);
  append(node, children);
  return node;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, tag);
  setAttributes(node, attributes);
  append(node, children);
  return node;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

/** Replaces everything inside `parent`. */
export function fill(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

function setAttributes(node: Element, attributes: Attributes): void {
  for (const [name, value] of Object.entries(attributes)) {
    if (/^on/i.test(name) || name === 'style') throw new Error(`attribute ${name} is not allowed`);
    if (value === null || value === undefined || value === false) continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
}

/** A table of rows; each cell is built by its column. */
export function table<T>(
  columns: { title: string; cell: (row: T) => Child; className?: string }[],
  rows: readonly T[],
  options: { empty?: string; testId?: string } = {},
): HTMLElement {
  if (rows.length === 0)
    return el('p', { class: 'empty', 'data-testid': options.testId }, options.empty ?? 'None.');
  return el(
    'table',
    { 'data-testid': options.testId },
    el('thead', {}, el('tr', {}, ...columns.map((c) => el('th', {}, c.title)))),
    el(
      'tbody',
      {},
      ...rows.map((row) =>
        el('tr', {}, ...columns.map((c) => el('td', { class: c.className }, c.cell(row)))),
      ),
    ),
  );
}

export function section(title: string, ...children: Child[]): HTMLElement {
  return el('section', {}, el('h2', {}, title), ...children);
}

/** A status badge (`pass`, `fail`, `frozen` …), coloured by the stylesheet through its class. */
export function badge(label: string, kind: string): HTMLElement {
  return el('span', { class: `badge badge-${kind}` }, label);
}
