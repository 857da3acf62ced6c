import {
  OUTCOME_FILTERS,
  type AgentStatus,
  type ConsentState,
  type HeldReportCheck,
  type HistoryFilter,
  type HistoryPage,
  type HistorySummary,
  type PolicyCategory,
  type PreviewView,
  type ServerLocationView,
  type SourceHealth,
  type StoredChoice,
  type VerifyReport,
} from '../../shared/api-contract';
import { presetOf } from '../../shared/schema/levels';
import { CATEGORY_TITLES } from '../../shared/schema/payload';
import { localIso, notSentBecause, pauseSentence } from '../../core/consent/describe';

/**
 * What the `candor` commands print, as text for people (the `--json` modes print the API's own
 * objects). Times are ISO 8601 with the local offset; each cause is said once.
 */

export function when(iso: string | null): string {
  return iso ? localIso(Date.parse(iso)) : 'never';
}

/** Where the server settings are read from; the CLI reads no other file for them. */
export interface ConfigFileView {
  path: string;
  exists: boolean;
  /** There, but not readable (not TOML, not a regular file): the server it names is not known. */
  unreadable: boolean;
}

export function describeStatus(s: AgentStatus, configFile: ConfigFileView): string {
  const c = s.consent;
  const last = s.schedule.lastAttempt;
  const lines = [
    `Sharing:      ${c.sharing ? 'on' : c.level === 'local' ? 'kept on this machine only' : 'off'}${c.sharing && c.paused ? `, paused: ${pauseSentence(c.paused, undefined, !s.cannotWrite)}` : ''}`,
    `Level:        ${levelText(c)}`,
    `Decided by:   ${c.decidedByLabel}${c.locked ? ' [locked]' : ''}`,
    `Instance ID:  ${s.instanceId ?? 'none yet'}`,
    `Server:       ${s.settings.server.url ?? (configFile.unreadable ? 'not known: the config file cannot be read' : 'none configured (see below)')}`,
    ...(s.settings.server.url && s.serverLocation ? locationLines(s.serverLocation) : []),
    `Endpoint:     ${s.settings.endpoint}`,
    `Last result:  ${last ? `${last.ok ? 'sent' : last.errorClass === 'server-not-read' ? 'not sent' : 'failed'} at ${when(last.at)}: ${last.message}` : 'nothing sent yet'}`,
    `Next due:     ${s.schedule.nextDueAt ? when(s.schedule.nextDueAt) : 'not scheduled'}`,
    'Sources:',
    ...sourceLines(s.sources),
  ];
  if (s.warnings.length) lines.push('Warnings:', ...s.warnings.map((w) => `  ! ${w}`));
  const hint = noServerHint(s, configFile);
  if (hint) lines.push('', hint);
  return lines.join('\n');
}

/** Where the server runs and, when not here, what that leaves out and how to include it. */
function locationLines(location: ServerLocationView): string[] {
  return [`Runs on:      ${location.message}`, ...(location.advice ? [`              ${location.advice}`] : [])];
}

const SEVERITY: Array<SourceHealth['state']> = ['ok', 'skipped', 'partial', 'failed'];

/**
 * Sources with one cause share one line: an unreachable server is said once, not four times. The
 * line shows the gravest state among them (the server failed; what depends on it was skipped).
 */
function sourceLines(sources: SourceHealth[]): string[] {
  const groups = new Map<string, { names: string[]; state: SourceHealth['state']; message: string }>();
  for (const h of sources) {
    const group = groups.get(h.message) ?? { names: [], state: h.state, message: h.message };
    group.names.push(h.source);
    if (SEVERITY.indexOf(h.state) > SEVERITY.indexOf(group.state)) group.state = h.state;
    groups.set(h.message, group);
  }
  const named = [...groups.values()].map((g) => ({ ...g, name: g.names.join(', ') }));
  const width = Math.max(14, ...named.map((g) => g.name.length));
  return named.map((g) => `  ${g.name.padEnd(width)} ${g.state.padEnd(8)} ${g.message}`);
}

/**
 * Said once by `status`, `preview` and `run` when no server is set: where, which keys, or the
 * browser. Not when the config file cannot be read: its own problem is the one to say.
 */
export function noServerHint(s: AgentStatus, configFile: ConfigFileView): string | null {
  if (s.settings.server.url || configFile.unreadable) return null;
  return [
    `To read your music server, set its [server] keys in the config file Candor reads,`,
    `${configFile.path}${configFile.exists ? '' : ' (it does not exist yet)'}:`,
    '  [server]',
    '  url = "http://127.0.0.1:4533"          # your Navidrome or OpenSubsonic server',
    '  username = "admin"',
    '  password_file = "navidrome-password"   # a file holding the password, beside this one (or: password = "…")',
    'or run `candor serve` and set it in the browser.',
  ].join('\n');
}

export function describePreview(p: PreviewView): string {
  const lines = [
    `The next report, exactly as it would be sent (${p.size} bytes, sha256 ${p.sha256}):`,
    '',
    p.text,
    '',
    `Privacy guard: ${p.guard.ok ? 'passed' : `REFUSED: ${p.guard.field} ${p.guard.reason}`}`,
    // Which machine the facts about a machine describe, or that there are none: said before what is left out.
    p.serverLocation.message,
  ];
  if (p.omitted.length) lines.push('Left out:', ...leftOutLines(p.omitted));
  return lines.join('\n');
}

/** Each field once (the core sees to that), and fields left out for one reason on one line. */
function leftOutLines(omitted: PreviewView['omitted']): string[] {
  const byReason = new Map<string, string[]>();
  for (const o of omitted) byReason.set(o.reason, [...(byReason.get(o.reason) ?? []), o.path]);
  return [...byReason].map(([reason, paths]) => `  ${paths.join(', ')}: ${reason}`);
}

export function historyLine(e: HistorySummary): string {
  return `${when(e.at)}  ${e.outcome.padEnd(12)} ${e.trigger.padEnd(8)} ${(e.level ?? 'full').padEnd(6)} ${String(e.size).padStart(6)} B  ${e.sha256.slice(0, 12)}  ${e.message}`;
}

/** After a search: how many matched, of how many, and (unless outcomes were asked for) how they fall by outcome. */
export function historyCountLine(page: Pick<HistoryPage, 'total' | 'unfiltered' | 'outcomes'>, filter: HistoryFilter): string {
  const groups = filter.outcomes?.length ? [] : OUTCOME_FILTERS.filter((o) => page.outcomes[o] > 0).map((o) => `${o} ${page.outcomes[o]}`);
  return `${page.total} of ${page.unfiltered} ${page.unfiltered === 1 ? 'entry matches' : 'entries match'}${groups.length ? `: ${groups.join(', ')}` : ''}.`;
}

const VERDICT_WORDS: Record<HeldReportCheck['verdict'], string> = {
  'sent-from-here': 'sent from here',
  'not-from-here': 'NEVER SENT FROM HERE (someone who knows this machine’s ID, or a damaged row)',
  'different-bytes': 'NOT THE BYTES SENT: the collector keeps what its receipt named',
};

/** `candor verify`, for people: the verdict first, then each report held and each one missing. */
export function describeVerify(r: VerifyReport): string {
  const lines = [r.message];
  if (r.asked === 'nothing-to-ask') return lines.join('\n');
  lines.push(`Asked ${r.endpoint} about ${r.ids === 1 ? 'one anonymous ID' : `${r.ids} anonymous IDs`} at ${when(r.checkedAt)}.`);
  if (r.held.length) {
    lines.push('', 'Held by the collector:');
    for (const h of r.held) {
      const sent = h.entry ? ` (${h.entry.outcome === 'no-answer' ? 'sent, no answer came,' : h.entry.outcome} at ${when(h.entry.at)})` : '';
      const deleted = h.expiresAt ? `, to be deleted at ${when(h.expiresAt)}` : '';
      lines.push(`  ${h.day}  sha256 ${h.sha256 ?? '(none: stored before receipts)'}  ${VERDICT_WORDS[h.verdict]}${sent}${deleted}`);
    }
  }
  const missing = r.missing.filter((m) => m.reason === 'missing');
  const replaced = r.missing.length - missing.length;
  if (missing.length) {
    lines.push('', 'Sent from here, not held (deleted, or never stored):');
    for (const m of missing) lines.push(`  ${when(m.entry.at)}  sha256 ${m.entry.sha256}`);
  }
  if (replaced)
    lines.push(
      '',
      `${replaced === 1 ? 'One report sent from here was' : `${replaced} reports sent from here were`} replaced by a later one of the same day (the collector keeps the newest of each day).`,
    );
  return lines.join('\n');
}

function categoryList(categories: readonly PolicyCategory[]): string {
  return categories.map((c) => CATEGORY_TITLES[c].replace(/ \(.*\)$/, '').toLowerCase()).join(', ');
}

/** The level in words, with the categories it carries. */
export function levelText(c: Pick<ConsentState, 'level' | 'categories'>): string {
  switch (c.level) {
    case 'off':
      return 'off: nothing is built or sent';
    case 'local':
      return `local: a report of ${categoryList(c.categories)} is built daily and kept here, never sent`;
    default:
      return `${c.level}: ${categoryList(c.categories)}`;
  }
}

/** What `candor consent …` saved, in words. */
export function answerText(choice: StoredChoice, categories: readonly PolicyCategory[]): string {
  if (choice === 'decline') return 'do not share';
  return levelText({ level: choice === 'local' ? 'local' : presetOf(categories), categories: [...categories] });
}

/**
 * Headless users never see a wizard: `candor run` says, once started (so the grace period's end is
 * known), what will be sent, when, and how to say no.
 */
export function startupNotice(s: AgentStatus, p: PreviewView): string {
  const c = s.consent;
  if (c.level === 'local')
    return [
      `Candor builds a report once a day and keeps it on this machine (local level, decided by ${c.decidedByLabel}): nothing is sent.`,
      'This is exactly what is kept:',
      p.text,
    ].join('\n');
  if (!c.sharing) return `Candor will not share anything: sharing is off (${c.decidedByLabel}).`;
  const lines = [
    `Candor shares anonymous usage statistics once a day with ${s.settings.endpoint} (${levelText(c)}).`,
    'This is exactly what would be sent:',
    p.text,
    '',
  ];
  // A pause ends with `candor consent yes`, which cannot be saved where the folder cannot be written.
  if (c.paused && !s.cannotWrite) lines.push(notSentBecause(c));
  // The grace period's end is already said, with how to skip it; a later time is worth its own line.
  // A process standing by does not plan the next report: the keeper does (schedulerLine names it).
  const next = s.scheduler.role === 'keeper' ? s.schedule.nextDueAt : null;
  if (next && !(c.paused?.until && Date.parse(c.paused.until) === Date.parse(next))) lines.push(`Next report: ${when(next)} at the earliest.`);
  // Where the data folder cannot be written, `candor consent no` could not be saved: not offered then.
  if (!c.locked && s.cannotWrite) lines.push('To opt out: set DO_NOT_TRACK=1, or put `[insights] enabled = false` in the config file.');
  else if (!c.locked) lines.push('To opt out: run `candor consent no`, set DO_NOT_TRACK=1, or put `[insights] enabled = false` in the config file.');
  else lines.push(`This was decided by ${c.decidedByLabel}.`);
  return lines.join('\n');
}

/** After start: who keeps the schedule when this process does not. */
export function schedulerLine(s: AgentStatus): string | null {
  // A process that cannot keep it because its folder cannot be written: the warnings say why.
  if (s.scheduler.role !== 'standby' || s.cannotWrite) return null;
  const keeper = s.scheduler.keptBy;
  return keeper
    ? `The daily schedule is kept by ${keeper.label}${keeper.pid ? `, pid ${keeper.pid}` : ''}; this process stands by and takes over if that one stops.`
    : 'Another process keeps the daily schedule; this one stands by.';
}
