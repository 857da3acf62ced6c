/**
 * Inline SVG charts, rendered on the server: no script, no external file, colours from the page's
 * stylesheet (classes, so the strict CSP needs no inline style attributes). Every chart carries a
 * title and a description for screen readers, a tooltip per mark, and a data table beside it.
 */

export function esc(text: string | number): string {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

let nextId = 0;
/** Element ids only need to be unique within one page render. */
export function resetIds(): void {
  nextId = 0;
}
function id(prefix: string): string {
  return `${prefix}${++nextId}`;
}

export interface Bar {
  label: string;
  value: number;
  /** Shown after the value, e.g. "of 120 reported". */
  note?: string;
  /** Written instead of the value (e.g. "54%" when the bar is a share). */
  text?: string;
  /** Drawn differently and announced (an incomplete day). */
  flagged?: boolean;
}

function frame(title: string, desc: string, width: number, height: number, body: string, table: string): string {
  const t = id('t');
  const d = id('d');
  return `<figure>
<svg viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-labelledby="${t} ${d}" preserveAspectRatio="xMinYMin meet">
<title id="${t}">${esc(title)}</title><desc id="${d}">${esc(desc)}</desc>
${body}
</svg>
<figcaption>${esc(title)}</figcaption>
<details><summary>Data table: ${esc(title)}</summary>${table}</details>
</figure>`;
}

function table(headers: string[], rows: (string | number)[][]): string {
  return `<table><thead><tr>${headers.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c, i) => (i === 0 ? `<th scope="row">${esc(c)}</th>` : `<td>${esc(c)}</td>`)).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/** Horizontal bars: one category per row, value and note written out (never colour alone). */
export function horizontalBars(title: string, desc: string, bars: Bar[], max = Math.max(1, ...bars.map((b) => b.value))): string {
  if (bars.length === 0) return empty(title);
  const rowH = 24;
  const labelW = 190;
  const barW = 330;
  const width = 720;
  const height = bars.length * rowH + 8;
  const body = bars
    .map((b, i) => {
      const y = 4 + i * rowH;
      const w = Math.max(b.value > 0 ? 2 : 0, Math.round((b.value / max) * barW));
      const text = `${b.text ?? b.value}${b.note ? ` ${b.note}` : ''}`;
      return `<g><title>${esc(`${b.label}: ${text}`)}</title>
<text class="label" x="${labelW - 8}" y="${y + 16}" text-anchor="end">${esc(b.label)}</text>
<rect class="bar c${i % 8}" x="${labelW}" y="${y + 3}" width="${w}" height="${rowH - 8}" rx="2"/>
<text class="value" x="${labelW + w + 6}" y="${y + 16}">${esc(text)}</text></g>`;
    })
    .join('\n');
  return frame(
    title,
    desc,
    width,
    height,
    body,
    table(
      ['', 'value', ''],
      bars.map((b) => [b.label, b.text ?? b.value, b.note ?? '']),
    ),
  );
}

/** Vertical columns in order (days, or histogram bins). Flagged columns are hatched and labelled. */
export function columns(title: string, desc: string, bars: Bar[]): string {
  if (bars.length === 0) return empty(title);
  const width = 720;
  const height = 240;
  const top = 16;
  const bottom = 52;
  const left = 44;
  const plotH = height - top - bottom;
  const step = (width - left - 8) / bars.length;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const everyNth = Math.ceil(bars.length / 12);
  const body = [
    `<line class="axis" x1="${left}" y1="${top + plotH}" x2="${width - 4}" y2="${top + plotH}"/>`,
    `<text class="tick" x="${left - 6}" y="${top + 4}" text-anchor="end">${max}</text>`,
    `<text class="tick" x="${left - 6}" y="${top + plotH}" text-anchor="end">0</text>`,
    ...bars.map((b, i) => {
      const h = Math.round((b.value / max) * plotH);
      const x = left + i * step + step * 0.15;
      const w = Math.max(1, step * 0.7);
      // Many labelled columns: alternate two rows of labels so neighbours never overlap.
      const dy = everyNth === 1 && bars.length > 8 && i % 2 === 1 ? 14 : 0;
      const label =
        i % everyNth === 0 ? `<text class="tick" x="${(x + w / 2).toFixed(1)}" y="${top + plotH + 16 + dy}" text-anchor="middle">${esc(b.label)}</text>` : '';
      return `<g><title>${esc(`${b.label}: ${b.text ?? b.value}${b.note ? ` ${b.note}` : ''}${b.flagged ? ' (incomplete)' : ''}`)}</title>
<rect class="bar ${b.flagged ? 'flagged' : 'c0'}" x="${x.toFixed(1)}" y="${top + plotH - h}" width="${w.toFixed(1)}" height="${h}"/>${label}</g>`;
    }),
    bars.some((b) => b.flagged)
      ? `<rect class="bar flagged" x="${width - 130}" y="2" width="12" height="12"/><text class="tick" x="${width - 112}" y="12">incomplete day</text>`
      : '',
  ].join('\n');
  return frame(
    title,
    desc,
    width,
    height,
    body,
    table(
      ['', 'value', 'note'],
      bars.map((b) => [b.label, b.text ?? b.value, [b.note, b.flagged ? 'incomplete' : ''].filter(Boolean).join(', ')]),
    ),
  );
}

export interface Series {
  key: string;
  /** One value per column, aligned with `labels`. */
  values: number[];
}

/** 100% stacked columns: the share of each series per column (versions over time). */
export function stackedShares(title: string, desc: string, labels: string[], series: Series[]): string {
  if (labels.length === 0 || series.length === 0) return empty(title);
  const width = 720;
  const legendRows = Math.ceil(series.length / 4);
  const top = 10;
  const plotH = 180;
  const left = 44;
  const height = top + plotH + 28 + legendRows * 20;
  const step = (width - left - 8) / labels.length;
  const totals = labels.map((_, i) => series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const everyNth = Math.ceil(labels.length / 12);
  const parts: string[] = [
    `<text class="tick" x="${left - 6}" y="${top + 8}" text-anchor="end">100%</text>`,
    `<text class="tick" x="${left - 6}" y="${top + plotH}" text-anchor="end">0%</text>`,
  ];
  labels.forEach((label, i) => {
    let y = top + plotH;
    const total = totals[i]!;
    series.forEach((s, k) => {
      const v = s.values[i] ?? 0;
      if (total === 0 || v === 0) return;
      const h = (v / total) * plotH;
      y -= h;
      parts.push(
        `<rect class="bar c${k % 8}" x="${(left + i * step + step * 0.1).toFixed(1)}" y="${y.toFixed(1)}" width="${Math.max(1, step * 0.8).toFixed(1)}" height="${h.toFixed(1)}"><title>${esc(`${label} ${s.key}: ${v} of ${total} (${Math.round((v / total) * 100)}%)`)}</title></rect>`,
      );
    });
    if (i % everyNth === 0)
      parts.push(`<text class="tick" x="${(left + i * step + step / 2).toFixed(1)}" y="${top + plotH + 16}" text-anchor="middle">${esc(label)}</text>`);
  });
  series.forEach((s, k) => {
    const x = left + (k % 4) * 170;
    const y = top + plotH + 28 + Math.floor(k / 4) * 20;
    parts.push(`<rect class="bar c${k % 8}" x="${x}" y="${y}" width="12" height="12"/><text class="tick" x="${x + 18}" y="${y + 10}">${esc(s.key)}</text>`);
  });
  const rows = labels.map((label, i) => [label, ...series.map((s) => s.values[i] ?? 0)]);
  return frame(title, desc, width, height, parts.join('\n'), table(['day', ...series.map((s) => s.key)], rows));
}

function empty(title: string): string {
  return `<figure><p class="empty">${esc(title)}: no data yet.</p></figure>`;
}
