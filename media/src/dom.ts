import { vscode } from './host';

const SVG = 'http://www.w3.org/2000/svg';

/** An element built with createElement: report strings are never parsed as HTML. */
export function h(tag: string, attrs?: Record<string, string>, children?: (Node | string | undefined)[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) el.setAttribute(k, v);
  for (const c of children ?? []) if (c !== undefined) el.append(c);
  return el;
}

/** An SVG element with its attributes. */
export function svg(tag: string, attrs: Record<string, string | number>): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

export function badge(status: string): HTMLElement {
  return h('span', { class: `badge ${status}` }, [status.toUpperCase()]);
}

/** A table cell with attributes (a class, a title); plain content in a row gets a bare cell. */
export function td(content: Node | string, attrs: Record<string, string>): HTMLElement {
  return h('td', attrs, [content]);
}

/** A row of a {@link table}: its cells (a `td(...)` or plain content) and the row's own attributes. */
export interface Row {
  cells: (Node | string)[];
  attrs?: Record<string, string>;
}

/** A table with a header row. */
export function table(cls: string, head: string[], rows: Row[]): HTMLElement {
  const cell = (c: Node | string): Node => (c instanceof HTMLTableCellElement ? c : h('td', {}, [c]));
  return h('table', { class: cls }, [
    h('thead', {}, [
      h(
        'tr',
        {},
        head.map((t) => h('th', {}, [t])),
      ),
    ]),
    h(
      'tbody',
      {},
      rows.map((r) => h('tr', r.attrs ?? {}, r.cells.map(cell))),
    ),
  ]);
}

/** A link that asks the extension to open a file (at a 1-based line). */
export function fileLink(file: string, line?: number): HTMLElement {
  const a = h('a', { href: '#', title: file }, [line ? `${file}:${line}` : file]);
  a.addEventListener('click', (e) => {
    e.preventDefault();
    vscode.postMessage({ type: 'open', file, line });
  });
  return a;
}
