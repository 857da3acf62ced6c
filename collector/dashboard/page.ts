/**
 * GET /: one server-rendered page. No script at all, no external request, a CSP that allows only
 * the one stylesheet below (by hash), light and dark colours from prefers-color-scheme.
 */
import { createHash } from 'node:crypto';
import { K_ANONYMITY, OTHER } from '../summary/threshold';
import type { Binned, DaySummary, Feature } from '../summary/types';
import { columns, esc, horizontalBars, resetIds, stackedShares, type Bar } from './charts';

const STYLE = `
:root { color-scheme: light dark; --fg: #1b1f24; --muted: #57606a; --bg: #ffffff; --line: #d0d7de; --flag: #9a6700;
  --c0: #0969da; --c1: #1a7f37; --c2: #8250df; --c3: #bc4c00; --c4: #bf3989; --c5: #0a7b83; --c6: #6e7781; --c7: #4d2d00; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --muted: #9198a1; --bg: #0d1117; --line: #3d444d; --flag: #d29922;
    --c0: #4493f8; --c1: #3fb950; --c2: #ab7df8; --c3: #f0883e; --c4: #f778ba; --c5: #39c5cf; --c6: #9198a1; --c7: #e3b341; }
}
body { font: 15px/1.5 system-ui, sans-serif; color: var(--fg); background: var(--bg); margin: 0 auto; max-width: 780px; padding: 1rem; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
p, figcaption, summary { color: var(--muted); }
figure { margin: 0.5rem 0 1.5rem; }
svg text { fill: var(--fg); font-size: 12px; } svg text.tick { fill: var(--muted); font-size: 11px; }
.axis { stroke: var(--line); }
.bar.c0 { fill: var(--c0); } .bar.c1 { fill: var(--c1); } .bar.c2 { fill: var(--c2); } .bar.c3 { fill: var(--c3); }
.bar.c4 { fill: var(--c4); } .bar.c5 { fill: var(--c5); } .bar.c6 { fill: var(--c6); } .bar.c7 { fill: var(--c7); }
.bar.flagged { fill: var(--bg); stroke: var(--flag); stroke-width: 2; stroke-dasharray: 3 2; }
table { border-collapse: collapse; margin: 0.5rem 0; } th, td { border-bottom: 1px solid var(--line); padding: 2px 8px; text-align: left; }
.empty { font-style: italic; }
`;

export const DASHBOARD_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

const pct = (n: number, of: number) => (of === 0 ? '0%' : `${Math.round((n / of) * 100)}%`);
/** Every chart says how many reports it stands on: a field left out is never counted as zero. */
const carried = (n: number, of: number) => `${n} of ${of} reports carried this`;
const WITHHELD = 'withheld';
const WITHHELD_NOTE = `(fewer than ${K_ANONYMITY} networks)`;

function latestShown(days: DaySummary[]): DaySummary | undefined {
  // The most recent complete day says the most; fall back to the newest day of any kind.
  return [...days].reverse().find((d) => d.complete) ?? days[days.length - 1];
}

/** A binned number as columns: withheld bins are drawn empty and say so. */
function binColumns(title: string, what: string, binned: Binned | undefined, day: DaySummary): string {
  if (!binned) return '';
  const note = `${carried(binned.reported, day.instances)}${binned.withheld > 0 ? `; ${binned.withheld} in withheld bins` : ''}.`;
  return [
    columns(
      title,
      `${what} on ${day.day}; ${note} A bin is shown only when at least ${K_ANONYMITY} networks reported it.`,
      binned.bins.map((b) => (b.count === null ? { label: b.label, value: 0, text: WITHHELD, note: WITHHELD_NOTE } : { label: b.label, value: b.count })),
    ),
    `<p>${esc(note)}</p>`,
  ].join('\n');
}

function featureBars(features: Feature[]) {
  const shown = features
    .filter((f) => f.reported > 0 && f.enabled !== null)
    .sort((a, b) => b.enabled! / b.reported - a.enabled! / a.reported || (a.flag < b.flag ? -1 : 1));
  const withheld = features.filter((f) => f.reported > 0 && f.enabled === null).sort((a, b) => (a.flag < b.flag ? -1 : 1));
  return [
    // Each bar is a share of its own denominator: flags reported by fewer servers are not drawn shorter.
    ...shown.map((f) => ({
      label: f.flag,
      value: f.enabled! / f.reported,
      text: pct(f.enabled!, f.reported),
      note: `(${f.enabled} of ${f.reported} reported)`,
    })),
    ...withheld.map((f) => ({ label: f.flag, value: 0, text: WITHHELD, note: `(${f.reported} reported; on or off from fewer than ${K_ANONYMITY} networks)` })),
  ];
}

export function renderDashboard(days: DaySummary[], meta: { retentionDays: number }): string {
  resetIds();
  const day = latestShown(days);
  const sections: string[] = [];
  sections.push(
    `<h2>Reporting servers per day</h2>`,
    columns(
      'Reporting servers per UTC day',
      'Number of distinct servers that reported on each day. Incomplete days (still in progress, collector down, or a sudden drop) are hatched.',
      days.map((d) => ({ label: d.day.slice(5), value: d.instances, flagged: !d.complete, ...(d.complete ? {} : { note: d.incomplete.join(', ') }) })),
    ),
  );

  const versionTotals = new Map<string, number>();
  for (const d of days) for (const v of d.versions.values) versionTotals.set(v.value, (versionTotals.get(v.value) ?? 0) + v.count);
  const topVersions = [...versionTotals]
    .filter(([v]) => v !== OTHER)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, 7)
    .map(([v]) => v);
  const series = [
    ...topVersions.map((key) => ({ key, values: days.map((d) => d.versions.values.find((v) => v.value === key)?.count ?? 0) })),
    { key: OTHER, values: days.map((d) => d.versions.values.filter((v) => !topVersions.includes(v.value)).reduce((s, v) => s + v.count, 0)) },
  ].filter((s) => s.values.some((v) => v > 0));
  sections.push(
    `<h2>Versions over time</h2>`,
    stackedShares(
      'Server versions over time',
      'Share of reporting servers running each version, per UTC day.',
      days.map((d) => d.day.slice(5)),
      series,
    ),
  );

  if (day) {
    const bars = (values: { value: string; count: number }[], of: number): Bar[] =>
      values.map((v) => ({ label: v.value, value: v.count, note: `(${pct(v.count, of)})` }));
    sections.push(
      `<h2>Platforms on ${esc(day.day)}</h2>`,
      horizontalBars(
        'Operating system and architecture',
        `Servers by OS and processor architecture on ${day.day}; ${carried(day.osArch.reported, day.instances)}.`,
        bars(day.osArch.values, day.osArch.reported),
      ),
      `<h2>Filesystem types</h2>`,
      horizontalBars(
        'Filesystem of the music folder',
        `Filesystem type of the music folder on ${day.day}; ${carried(day.fs.music?.reported ?? 0, day.instances)}.`,
        bars(day.fs.music?.values ?? [], day.fs.music?.reported ?? 0),
      ),
      horizontalBars(
        'Filesystem of the data folder',
        `Filesystem type of the data folder on ${day.day}; ${carried(day.fs.data?.reported ?? 0, day.instances)}.`,
        bars(day.fs.data?.values ?? [], day.fs.data?.reported ?? 0),
      ),
    );
    sections.push(
      `<h2>Player apps</h2>`,
      horizontalBars(
        'Player apps in use',
        `Servers where each app played in the 7 days before their report on ${day.day}; ${carried(day.players.reported, day.instances)}. A server may list several apps. Names are grouped by app (every browser of Navidrome's web player is NavidromeUI); apps the collector does not know are counted as “${OTHER}”.`,
        day.players.values.map((v) => ({ label: v.value, value: v.instances, note: `(${pct(v.instances, day.players.reported)})` })),
      ),
    );
    const tracks = day.library.tracks;
    if (tracks) sections.push(`<h2>Library sizes</h2>`, binColumns('Tracks per library', 'How many servers fall in each library-size range', tracks, day));
    sections.push(
      `<h2>Hardware and uptime</h2>`,
      binColumns('Processor cores', 'Servers by number of processor cores', day.cpus, day),
      binColumns('Memory the server holds (Go Sys)', "Servers by the memory their Go runtime obtained from the system (Navidrome's mem.sys)", day.memory, day),
      ...(day.residentMemory && day.residentMemory.reported > 0
        ? [
            binColumns(
              'Resident memory of the server process',
              'Servers by the resident size of their process, where Candor saw it but not Go Sys',
              day.residentMemory,
              day,
            ),
          ]
        : []),
      binColumns('Server uptime', 'Servers by time since the music server last started', day.uptime, day),
    );
    const reportedConfig = Math.max(0, ...day.features.map((f) => f.reported));
    sections.push(
      `<h2>Feature adoption</h2>`,
      horizontalBars(
        'Servers with each feature enabled',
        `For each setting: servers with it on, out of those that reported it, on ${day.day}; up to ${carried(reportedConfig, day.instances)}.`,
        featureBars(day.features),
        1,
      ),
    );
  }

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Anonymous usage statistics</title><style>${STYLE}</style></head>
<body><main>
<h1>Anonymous usage statistics</h1>
<p>Daily summaries of the reports Candor and Navidrome servers send. Raw reports are deleted after ${meta.retentionDays} days; only these aggregates are kept. Numbers are shown as ranges, never exact values, and a value or range reported from fewer than ${K_ANONYMITY} networks is withheld (counted in “${OTHER}”). A report that leaves a category out is not counted in that category’s charts. No IP address is stored or logged.</p>
${day ? `<p>Showing ${days.length} day(s); details for ${esc(day.day)}: ${day.instances} servers${day.complete ? '' : ` (incomplete: ${esc(day.incomplete.join(', '))})`}. Data as JSON: <a href="/api/summary">/api/summary</a>.</p>` : '<p class="empty">No reports yet.</p>'}
${sections.join('\n')}
</main></body></html>`;
}
