// The heat map SVG without a browser: it must be well-formed XML (parsed here by a strict
// little parser), show one cell per condition with the right outcome and text, and keep
// hostile factor names inert.
import { describe, expect, it } from 'vitest';
import {
  escapeXml,
  type HeatCell,
  MAX_AXIS,
  OUTCOME_COLORS,
  renderHeatMapSvg,
} from '../../src/core/svg-heatmap.js';

interface XmlNode {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: XmlNode[];
  text: string;
}

const ENTITY: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text: string, where: string): string {
  if (/<|&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(text))
    throw new Error(`bad character data in ${where}: ${text}`);
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (_m, e: string) =>
    e.startsWith('#x')
      ? String.fromCodePoint(Number.parseInt(e.slice(2), 16))
      : e.startsWith('#')
        ? String.fromCodePoint(Number(e.slice(1)))
        : (ENTITY[e] ?? ''),
  );
}

/** A strict subset of XML 1.0: elements, attributes, text, comments. Throws on anything malformed. */
function parseXml(source: string): XmlNode {
  const stack: XmlNode[] = [];
  let root: XmlNode | null = null;
  let i = 0;
  const NAME = /^[A-Za-z_][\w.:-]*/;
  while (i < source.length) {
    if (source.startsWith('<!--', i)) {
      const end = source.indexOf('-->', i);
      if (end < 0) throw new Error('unterminated comment');
      i = end + 3;
    } else if (source.startsWith('</', i)) {
      const end = source.indexOf('>', i);
      const name = source.slice(i + 2, end).trim();
      const open = stack.pop();
      if (open?.name !== name) throw new Error(`</${name}> closes <${open?.name ?? 'nothing'}>`);
      i = end + 1;
    } else if (source[i] === '<') {
      const name = NAME.exec(source.slice(i + 1))?.[0];
      if (name === undefined) throw new Error(`bad tag at ${i}`);
      i += 1 + name.length;
      const attrs: Record<string, string> = {};
      for (;;) {
        const rest = source.slice(i);
        const space = /^\s*/.exec(rest)?.[0].length ?? 0;
        i += space;
        if (source.startsWith('/>', i) || source[i] === '>') break;
        if (space === 0) throw new Error(`missing space before an attribute of <${name}>`);
        const attr = /^([A-Za-z_][\w.:-]*)="([^"]*)"/.exec(source.slice(i));
        if (attr?.[1] === undefined || attr[2] === undefined)
          throw new Error(`bad attribute in <${name}> at ${i}`);
        if (attr[1] in attrs) throw new Error(`duplicate attribute ${attr[1]} in <${name}>`);
        attrs[attr[1]] = decode(attr[2], `<${name} ${attr[1]}>`);
        i += attr[0].length;
      }
      const node: XmlNode = { name, attrs, children: [], text: '' };
      const parent = stack.at(-1);
      if (parent !== undefined) parent.children.push(node);
      else if (root === null) root = node;
      else throw new Error('a second root element');
      if (source.startsWith('/>', i)) i += 2;
      else {
        stack.push(node);
        i += 1;
      }
    } else {
      const end = source.indexOf('<', i);
      const text = source.slice(i, end < 0 ? undefined : end);
      const parent = stack.at(-1);
      if (parent === undefined) {
        if (text.trim() !== '') throw new Error('text outside the root');
      } else parent.text += decode(text, `<${parent.name}>`);
      i = end < 0 ? source.length : end;
    }
  }
  if (stack.length > 0) throw new Error(`<${stack.at(-1)?.name}> is never closed`);
  if (root === null) throw new Error('no root element');
  return root;
}

function all(node: XmlNode, pred: (n: XmlNode) => boolean): XmlNode[] {
  return [...(pred(node) ? [node] : []), ...node.children.flatMap((c) => all(c, pred))];
}

const textOf = (node: XmlNode): string[] => all(node, (n) => n.name === 'text').map((n) => n.text);

const FACTORS = [
  { name: 'batch', levels: ['small', 'large'] },
  { name: 'seq', levels: ['short', 'long'] },
  { name: 'lr', levels: ['0.02', '0.16'] },
];

function cell(
  batch: string,
  seq: string,
  lr: string,
  outcome: HeatCell['outcome'],
  cause: string | null = null,
): HeatCell {
  return {
    conditionId: `batch=${batch},seq=${seq},lr=${lr}`,
    factors: { batch, seq, lr },
    outcome,
    cause,
    attempts: outcome === 'recovered' ? 2 : 1,
    value: outcome === 'succeeded' || outcome === 'recovered' ? 'loss 0.0123' : null,
  };
}

const CELLS: HeatCell[] = [
  cell('small', 'short', '0.02', 'succeeded'),
  cell('small', 'short', '0.16', 'failed', 'nan_divergence'),
  cell('small', 'long', '0.02', 'recovered', 'timeout'),
  cell('small', 'long', '0.16', 'succeeded'),
  cell('large', 'short', '0.02', 'succeeded'),
  cell('large', 'short', '0.16', 'cancelled', 'cancelled'),
  cell('large', 'long', '0.02', 'recovered', 'host_oom'),
  cell('large', 'long', '0.16', 'live'),
];

describe('renderHeatMapSvg', () => {
  const svg = renderHeatMapSvg({
    title: 'demo: final outcome per condition',
    factors: FACTORS,
    cells: CELLS,
  });
  const root = parseXml(svg);

  it('is a well-formed SVG document', () => {
    expect(root.name).toBe('svg');
    expect(root.attrs.xmlns).toBe('http://www.w3.org/2000/svg');
    expect(Number(root.attrs.width)).toBeGreaterThan(0);
    expect(root.attrs.viewBox).toBe(`0 0 ${root.attrs.width} ${root.attrs.height}`);
  });

  it('has one cell per condition, coloured and labelled by its outcome', () => {
    const cells = all(root, (n) => n.name === 'g' && n.attrs.class === 'cell');
    expect(cells).toHaveLength(8);
    const byId = new Map(cells.map((c) => [c.attrs['data-condition'], c]));
    for (const expected of CELLS) {
      const g = byId.get(expected.conditionId);
      if (g === undefined) throw new Error(`no cell for ${expected.conditionId}`);
      expect(g.attrs['data-outcome']).toBe(expected.outcome);
      const rect = g.children.find((c) => c.name === 'rect');
      expect(rect?.attrs.fill).toBe(OUTCOME_COLORS[expected.outcome]);
    }
    expect(textOf(byId.get('batch=small,seq=short,lr=0.16') ?? root)).toEqual(['nan_divergence', '1 try']);
    expect(textOf(byId.get('batch=large,seq=long,lr=0.02') ?? root)).toEqual([
      'ok after host_oom',
      'loss 0.0123 · try 2',
    ]);
    expect(textOf(byId.get('batch=small,seq=short,lr=0.02') ?? root)).toEqual(['ok', 'loss 0.0123']);
  });

  it('lays rows out by the first half of the factors and columns by the rest', () => {
    const rows = all(root, (n) => n.attrs.class === 'row-label').map((n) => n.text);
    const cols = all(root, (n) => n.attrs.class === 'col-label').map((n) => n.text);
    expect(rows).toEqual([
      'batch=small · seq=short',
      'batch=small · seq=long',
      'batch=large · seq=short',
      'batch=large · seq=long',
    ]);
    expect(cols).toEqual(['lr=0.02', 'lr=0.16']);
  });

  it('shows a condition that never ran as such', () => {
    const partial = parseXml(renderHeatMapSvg({ title: 't', factors: FACTORS, cells: CELLS.slice(0, 3) }));
    const cells = all(partial, (n) => n.attrs.class === 'cell');
    expect(cells.filter((c) => c.attrs['data-outcome'] === 'not_run')).toHaveLength(5);
  });

  it('keeps hostile names inert: escaped, and read back exactly', () => {
    const evil = `<script>alert("x")</script> & 'q'`;
    const doc = parseXml(
      renderHeatMapSvg({
        title: `${evil} title`,
        factors: [{ name: 'model', levels: [evil, 'ok'] }],
        cells: [
          {
            conditionId: `model=${evil}`,
            factors: { model: evil },
            outcome: 'failed',
            cause: evil,
            attempts: 1,
            value: null,
          },
        ],
      }),
    );
    expect(all(doc, (n) => n.name === 'script')).toEqual([]);
    expect(textOf(doc)[0]).toBe(`${evil} title`);
    const g = all(doc, (n) => n.attrs['data-outcome'] === 'failed')[0];
    expect(g?.attrs['data-condition']).toBe(`model=${evil}`);
    expect(g?.attrs['data-cause']).toBe(evil);
  });

  it('drops characters XML cannot carry at all', () => {
    expect(escapeXml('a\u0000b\u0007c&')).toBe('abc&#38;');
  });

  it(`cuts a grid wider than ${MAX_AXIS} columns, and says so`, () => {
    const levels = Array.from({ length: MAX_AXIS + 5 }, (_, i) => `l${i}`);
    const doc = parseXml(
      renderHeatMapSvg({
        title: 'wide',
        factors: [
          { name: 'a', levels: ['x'] },
          { name: 'b', levels },
        ],
        cells: [],
      }),
    );
    expect(textOf(doc)[0]).toBe(`wide (first 1 of 1 rows, ${MAX_AXIS} of ${MAX_AXIS + 5} columns)`);
    expect(all(doc, (n) => n.attrs.class === 'cell')).toHaveLength(MAX_AXIS);
  });
});

describe('the parser is strict', () => {
  it.each([
    ['<svg><g></svg>', /closes/],
    ['<svg a="1" a="2"/>', /duplicate/],
    ['<svg><text>a < b</text></svg>', /bad tag/],
    ['<svg><text>AT&T</text></svg>', /bad character data/],
    ['<svg/><svg/>', /second root/],
  ])('refuses %s', (xml, message) => {
    expect(() => parseXml(xml)).toThrow(message);
  });
});
