import { parseArgs } from 'node:util';
import { Agent, AGENT_VERSION } from '../core/agent';
import type { AgentStatus, HistorySummary, PreviewView } from '../core/api/contract';
import { ApiError } from '../core/api/contract';
import { createAxiosHttpClient } from '../core/http';
import { switchFrom, type Switch } from '../core/consent/switch';
import { consoleLogger, systemClock, systemRandom } from '../core/platform';
import { candorConfigPath, defaultHome, loadCandorConfig } from '../core/settings/candor-config';

/** The `candor` command line: a stable contract users script against (see README "Command line"). */
export const USAGE = `candor ${AGENT_VERSION}: see and control the anonymous usage statistics your music server shares.

Usage: candor <command> [options]

Commands:
  status [--json]        Sharing on/off and who decided, instance id, last result, next due time, source health
  preview [--json]       The exact bytes the next report would send (--json: those bytes alone)
  send                   Send a report now if sharing allows (ignores the daily timer, never consent)
  history [--json]       Every attempt: time, trigger, result, size, sha256
  consent yes|no         Save your answer (a config setting still wins)
  reset-id               Make a new random anonymous ID
  run                    Keep the daily schedule (the long-running headless agent)
  serve [--port N]       Serve the admin UI on 127.0.0.1 (prints a URL holding a per-run secret)
        [--host H --allow-remote]   Bind elsewhere (the secret then crosses the network in clear)

Options:
  --share / --no-share   Decide sharing for this run (wins over everything else)
  -h, --help             This help
  -v, --version          The version

Environment:
  CANDOR_HOME            Data folder (default: ${defaultHome()})
  CANDOR_CONFIG          Config file (default: $CANDOR_HOME/candor.toml)
  DO_NOT_TRACK=1         Turns sharing off (any value but empty or 0)
  CANDOR_INSIGHTS_ENABLED=true|false   Turns sharing on or off

Exit codes: 0 success, 1 the action failed (reason on stderr), 2 bad usage.`;

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: Record<string, string | undefined>;
}

class UsageError extends Error {}

/**
 * `--share=<value>` and `--no-share=<value>`: a flag written with a value is still a decision about
 * sharing. `--share=no` is an opt-out; a value that cannot be understood holds sharing off.
 */
function takeShareValues(argv: string[]): { rest: string[]; written?: Switch } {
  const values: Switch[] = [];
  const rest = argv.filter((arg) => {
    const match = /^--(no-)?share=(.*)$/s.exec(arg);
    if (match) values.push(match[1] ? false : switchFrom(match[2]!));
    return !match;
  });
  if (values.length === 0) return { rest };
  // Of several, an opt-out (or a value not understood) wins, as everywhere else.
  return { rest, written: values.find((v) => v !== true) ?? true };
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const { rest: args, written: writtenShare } = takeShareValues(argv);
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean' },
        share: { type: 'boolean' },
        'no-share': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
        port: { type: 'string' },
        host: { type: 'string' },
        'allow-remote': { type: 'boolean' },
      },
    });
  } catch (error) {
    io.err(`candor: ${(error as Error).message.split('\n')[0]} (see candor --help)`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) {
    io.out(USAGE);
    return values.help ? 0 : 2;
  }
  if (values.version) {
    io.out(AGENT_VERSION);
    return 0;
  }
  if ((values.share && values['no-share']) || (writtenShare !== undefined && (values.share || values['no-share']))) {
    io.err('candor: --share and --no-share contradict each other');
    return 2;
  }
  const cliShare: Switch | undefined = writtenShare ?? (values.share ? true : values['no-share'] ? false : undefined);
  const [command, ...rest] = positionals;
  const home = defaultHome(io.env);
  const config = loadCandorConfig(candorConfigPath(io.env, home));
  const logger = consoleLogger(command === 'run' || command === 'serve' ? 'info' : 'warn', io.err);
  const agent = await Agent.create({
    home,
    shell: 'headless',
    env: io.env,
    processLabel: `candor ${command}`,
    ...(cliShare !== undefined ? { cliShare } : {}),
    config,
    clock: systemClock,
    random: systemRandom,
    logger,
    http: createAxiosHttpClient(),
  });
  try {
    switch (command) {
      case 'status':
        return await status(agent, io, values.json === true);
      case 'preview':
        return await preview(agent, io, values.json === true);
      case 'send': {
        const outcome = await agent.sendNow();
        (outcome.ok ? io.out : io.err)(outcome.ok ? outcome.message : `candor: ${outcome.message}`);
        return outcome.ok ? 0 : 1;
      }
      case 'history':
        return await history(agent, io, values.json === true);
      case 'consent': {
        const choice = rest[0];
        if (choice !== 'yes' && choice !== 'no') throw new UsageError('consent takes yes or no');
        const s = await agent.setConsent({ choice: choice === 'yes' ? 'share' : 'decline' });
        io.out(`Saved: ${choice === 'yes' ? 'share' : 'do not share'}.`);
        if (s.consent.locked) io.out(`Note: ${s.consent.decidedByLabel} decides for now; sharing is ${s.consent.sharing ? 'on' : 'off'}.`);
        return 0;
      }
      case 'reset-id': {
        const s = await agent.resetInstanceId();
        io.out(`New anonymous ID: ${s.instanceId}`);
        return 0;
      }
      case 'run':
        return await run(agent, io);
      case 'serve':
        return await serve(agent, io, { port: values.port, host: values.host, allowRemote: values['allow-remote'] === true });
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`candor: ${error.message} (see candor --help)`);
      return 2;
    }
    if (error instanceof ApiError) {
      io.err(`candor: ${error.message}`);
      return 1;
    }
    io.err('candor: unexpected error');
    logger.log('error', 'unexpected error', { name: (error as Error)?.name ?? 'unknown' });
    return 1;
  } finally {
    if (command !== 'run' && command !== 'serve') await agent.stop();
  }
}

function when(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString() : 'never';
}

async function status(agent: Agent, io: CliIo, json: boolean): Promise<number> {
  await agent.getPreview();
  const s = await agent.getStatus();
  if (json) {
    io.out(JSON.stringify(s, null, 2));
    return 0;
  }
  io.out(describeStatus(s));
  return 0;
}

export function describeStatus(s: AgentStatus): string {
  const c = s.consent;
  const lines = [
    `Sharing:      ${c.sharing ? 'on' : 'off'}${c.paused ? ` (paused: ${pauseText(c.paused)})` : ''}`,
    `Decided by:   ${c.decidedByLabel}${c.locked ? ' [locked]' : ''}`,
    `Instance ID:  ${s.instanceId ?? 'none yet (made when you first agree)'}`,
    `Endpoint:     ${s.settings.endpoint}`,
    `Last result:  ${s.schedule.lastAttempt ? `${s.schedule.lastAttempt.ok ? 'sent' : 'failed'} at ${when(s.schedule.lastAttempt.at)}: ${s.schedule.lastAttempt.message}` : 'nothing sent yet'}`,
    `Next due:     ${s.schedule.nextDueAt ? when(s.schedule.nextDueAt) : 'not scheduled'}`,
    'Sources:',
    ...s.sources.map((h) => `  ${h.source.padEnd(14)} ${h.state.padEnd(8)} ${h.message}`),
  ];
  if (s.warnings.length) lines.push('Warnings:', ...s.warnings.map((w) => `  ! ${w}`));
  return lines.join('\n');
}

function pauseText(p: NonNullable<AgentStatus['consent']['paused']>): string {
  if (p.reason === 'awaiting-answer') return 'waiting for your answer';
  if (p.reason === 'headless-grace') return `first report not before ${when(p.until ?? null)}`;
  return `new fields need your approval: ${(p.fields ?? []).join(', ')}`;
}

async function preview(agent: Agent, io: CliIo, json: boolean): Promise<number> {
  const p = await agent.getPreview();
  if (json) {
    io.out(p.text);
    return 0;
  }
  io.out(describePreview(p));
  return 0;
}

export function describePreview(p: PreviewView): string {
  const lines = [
    `The next report, exactly as it would be sent (${p.size} bytes, sha256 ${p.sha256}):`,
    '',
    p.text,
    '',
    `Privacy guard: ${p.guard.ok ? 'passed' : `REFUSED: ${p.guard.field} ${p.guard.reason}`}`,
  ];
  if (p.omitted.length) lines.push('Left out:', ...p.omitted.map((o) => `  ${o.path}: ${o.reason}`));
  return lines.join('\n');
}

async function history(agent: Agent, io: CliIo, json: boolean): Promise<number> {
  const page = await agent.listHistory({ offset: 0, limit: 1000 });
  if (json) {
    const full = await Promise.all(page.entries.map((e) => agent.getHistoryEntry({ id: e.id })));
    io.out(JSON.stringify(full, null, 2));
    return 0;
  }
  if (page.total === 0) {
    io.out('Nothing has been sent yet.');
    return 0;
  }
  io.out(page.entries.map(historyLine).join('\n'));
  if (page.total > page.entries.length) io.out(`… and ${page.total - page.entries.length} older (candor history --json for all)`);
  return 0;
}

function historyLine(e: HistorySummary): string {
  return `${when(e.at)}  ${e.outcome.padEnd(7)} ${e.trigger.padEnd(8)} ${String(e.size).padStart(6)} B  ${e.sha256.slice(0, 12)}  ${e.message}`;
}

/**
 * Resolves on Ctrl+C or SIGTERM; installed before anything is printed so no signal is missed. Holds
 * the process open meanwhile: the agent's own timers are unref'd so that one-shot commands can exit.
 */
function untilStopped(): Promise<void> {
  const keepAlive = setInterval(() => {}, 2 ** 30);
  return new Promise<void>((resolve) => {
    const stop = () => {
      clearInterval(keepAlive);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

async function run(agent: Agent, io: CliIo): Promise<number> {
  const stopped = untilStopped();
  const s = await agent.getStatus();
  const p = await agent.getPreview();
  io.out(startupNotice(s, p));
  await agent.start();
  describeRunning(await agent.getStatus(), io);
  await stopped;
  await agent.stop();
  return 0;
}

/** After start: who keeps the schedule, and anything that stops reports from going. */
function describeRunning(s: AgentStatus, io: CliIo): void {
  const keeper = s.scheduler.keptBy;
  if (s.scheduler.role === 'standby') {
    io.out(
      keeper
        ? `The daily schedule is kept by ${keeper.label}${keeper.pid ? `, pid ${keeper.pid}` : ''}; this process stands by and takes over if that one stops.`
        : 'Another process keeps the daily schedule; this one stands by.',
    );
  }
  for (const warning of s.warnings) io.err(`Warning: ${warning}`);
}

/** Headless users never see a wizard: start-up says what will be sent and how to say no. */
export function startupNotice(s: AgentStatus, p: PreviewView): string {
  const c = s.consent;
  const head = c.sharing
    ? `Candor shares anonymous usage statistics once a day with ${s.settings.endpoint}.`
    : `Candor will not share anything: sharing is off (${c.decidedByLabel}).`;
  const lines = [head];
  if (c.sharing) {
    if (c.paused) lines.push(`Not yet: ${pauseText(c.paused)}.`);
    lines.push('This is exactly what would be sent:', p.text, '');
    if (!c.locked) lines.push('To opt out: run `candor consent no`, set DO_NOT_TRACK=1, or put `[insights] enabled = false` in the config file.');
    else lines.push(`This was decided by ${c.decidedByLabel}.`);
  }
  return lines.join('\n');
}

async function serve(agent: Agent, io: CliIo, options: { port: string | undefined; host: string | undefined; allowRemote: boolean }): Promise<number> {
  const port = options.port === undefined ? 0 : Number(options.port);
  if (!/^\d+$/.test(options.port ?? '0') || port > 65535) throw new UsageError('--port takes a number from 0 to 65535');
  const { startHeadlessServer, rendererDir } = await import('./serve-entry');
  const { describeServeError } = await import('./serve/server');
  const stopped = untilStopped();
  let server;
  try {
    server = await startHeadlessServer(agent, { port, host: options.host ?? '127.0.0.1', allowRemote: options.allowRemote, staticDir: rendererDir(io.env) });
  } catch (error) {
    io.err(`candor: ${describeServeError(error)}`);
    await agent.stop();
    return 1;
  }
  await agent.start();
  io.out(`Candor admin UI: ${server.url}`);
  io.out('Open it in a browser on this machine. The link holds a secret for this run only; press Ctrl+C to stop.');
  await stopped;
  await server.close();
  await agent.stop();
  return 0;
}
