import { Agent, type AgentDeps } from '../../core/agent';
import { ApiError, type HistoryFilter, type HistorySummary } from '../../shared/api-contract';
import { isFiltered } from '../../shared/history-filter';
import type { HttpClient } from '../../core/net/http-client';
import { consoleLogger, systemClock, systemRandom, type Clock, type Random } from '../../core/platform';
import { defaultHome } from '../../core/settings/candor-config';
import { CandorConfigFile } from '../../core/settings/config-source';
import type { CommandLine } from './args';
import {
  answerText,
  describePreview,
  describeStatus,
  describeVerify,
  historyCountLine,
  historyLine,
  levelText,
  noServerHint,
  type ConfigFileView,
} from './text';
import type { CliIo } from './io';

/**
 * What a command runs with from the world: the system's clock, randomness and network. Tests run
 * the real commands in a child process on a clock they drive (test/support/shell-child.ts).
 */
export interface CommandWorld {
  clock: Clock;
  random: Random;
  http: HttpClient;
  /** How often running processes look at their files and the lease, and the schedule's timings: the defaults unless a test says. */
  tuning?: Pick<AgentDeps, 'pollMs' | 'watchFiles' | 'schedule'>;
  /** Told of the agent once it is made, so a test can wait for it to be quiet. */
  onAgent?: (agent: Agent) => void;
}

/**
 * The commands, once the command line is known to be good: only now is the data folder touched
 * and the agent loaded. One-shot commands stop the agent when done; `run` and `serve` keep it, and
 * keep following the config file (an edit applies within a second, as at start-up).
 */
export async function runCommand(line: CommandLine, io: CliIo, world?: CommandWorld): Promise<number> {
  const home = defaultHome(io.env);
  const config = new CandorConfigFile(io.env, home);
  const atStart = config.current();
  const configFile: ConfigFileView = {
    path: config.path,
    exists: atStart.path !== null && !atStart.missing,
    unreadable: atStart.unreadable && !atStart.missing,
  };
  const longRunning = line.command === 'run' || line.command === 'serve';
  // A one-shot command says its outcome itself, in one line: the log repeats only what went wrong unforeseen.
  const logger = consoleLogger(longRunning ? 'info' : 'error', io.err);
  // Status shows it among its warnings; every other command says it here, once.
  if (atStart.missing && !(line.command === 'status' && !line.json)) io.err(`candor: ${atStart.problems[0]}`);
  const agent = await Agent.create({
    home,
    shell: 'headless',
    env: io.env,
    processLabel: `candor ${line.command}`,
    ...(line.share !== undefined ? { cliShare: line.share } : {}),
    config,
    clock: world?.clock ?? systemClock,
    random: world?.random ?? systemRandom,
    logger,
    http: world?.http ?? lazyHttpClient(),
    ...world?.tuning,
  });
  world?.onAgent?.(agent);
  try {
    switch (line.command) {
      case 'status':
        return await status(agent, io, line.json, configFile);
      case 'preview':
        return await preview(agent, io, line, configFile);
      case 'send':
        return await send(agent, io);
      case 'history':
        return await history(agent, io, line.json, line.historyFilter);
      case 'verify': {
        const report = await agent.verifyRemoteData();
        if (line.json) io.out(JSON.stringify(report, null, 2));
        else if (report.asked === 'answered' || report.asked === 'nothing-to-ask') io.out(describeVerify(report));
        // The collector could not be asked: one line, on stderr.
        else io.err(`candor: ${report.message}`);
        return report.ok ? 0 : 1;
      }
      case 'consent': {
        const answer = line.answer!;
        const s = await agent.setConsent({ choice: answer.choice, ...(answer.categories ? { categories: answer.categories } : {}) });
        io.out(`Saved: ${answerText(answer.choice, s.consent.storedCategories)}.`);
        if (s.consent.locked) io.out(`Note: ${s.consent.decidedByLabel} decides for now: ${levelText(s.consent)}.`);
        return 0;
      }
      case 'export':
        return await exportReport(agent, io, line);
      case 'delete-data': {
        const outcome = await agent.deleteRemoteData();
        (outcome.ok ? io.out : io.err)(outcome.ok ? outcome.message : `candor: ${outcome.message}`);
        return outcome.ok ? 0 : 1;
      }
      case 'reset-id': {
        const s = await agent.resetInstanceId();
        io.out(`New anonymous ID: ${s.instanceId}`);
        return 0;
      }
      case 'run': {
        const { run } = await import('./long-running');
        return await run(agent, io, configFile);
      }
      case 'serve': {
        const { serve } = await import('./long-running');
        return await serve(agent, io, line);
      }
    }
    return 2;
  } catch (error) {
    if (error instanceof ApiError) {
      io.err(`candor: ${error.message}`);
      return 1;
    }
    io.err('candor: unexpected error');
    logger.log('error', 'unexpected error', { name: (error as Error)?.name ?? 'unknown' });
    return 1;
  } finally {
    if (!longRunning) await agent.stop();
  }
}

const SIGNAL_EXIT: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: 130, SIGTERM: 143 };

/**
 * `candor send`: the outcome in one line. Stopped meanwhile (Ctrl+C, SIGTERM), it says in one line
 * what the history now holds and ends at once: the connection is cut, and a report already on its
 * way is recorded as "no answer", as after any crash mid-send.
 */
async function send(agent: Agent, io: CliIo): Promise<number> {
  let stop = (_signal: 'SIGINT' | 'SIGTERM') => {};
  const stopped = new Promise<'SIGINT' | 'SIGTERM'>((resolve) => (stop = resolve));
  const onInt = () => stop('SIGINT');
  const onTerm = () => stop('SIGTERM');
  process.once('SIGINT', onInt);
  process.once('SIGTERM', onTerm);
  try {
    const attempt = agent.sendNow();
    const first = await Promise.race([attempt, stopped]);
    if (typeof first === 'string') {
      // The decision and the result are written under the folder lock in milliseconds: let them land, so the line is true.
      while (agent.sendPhase === 'claiming' || agent.sendPhase === 'recording') await new Promise((r) => setTimeout(r, 5));
      const phase = agent.sendPhase;
      if (phase === 'on-the-wire' || phase === 'preparing') {
        io.err(
          phase === 'on-the-wire'
            ? 'candor: stopped while the report was on its way; the history records it as "no answer" (the collector may have received it).'
            : 'candor: stopped before anything was sent; nothing was recorded.',
        );
        process.exit(SIGNAL_EXIT[first]);
      }
    }
    const outcome = await attempt;
    (outcome.ok ? io.out : io.err)(outcome.ok ? outcome.message : `candor: ${outcome.message}`);
    return outcome.ok ? 0 : 1;
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}

/** axios is loaded on the first request: `status` with no server, `history` and `consent` make none. */
function lazyHttpClient(): HttpClient {
  let client: Promise<HttpClient> | undefined;
  return {
    async request(req) {
      client ??= import('../../core/net/axios-http-client').then((m) => m.createAxiosHttpClient());
      return (await client).request(req);
    },
  };
}

async function status(agent: Agent, io: CliIo, json: boolean, configFile: ConfigFileView): Promise<number> {
  await agent.getPreview();
  const s = await agent.getStatus();
  io.out(json ? JSON.stringify(s, null, 2) : describeStatus(s, configFile));
  return 0;
}

async function preview(agent: Agent, io: CliIo, line: CommandLine, configFile: ConfigFileView): Promise<number> {
  if (line.categories === null) {
    io.out(line.json ? '' : 'At the off level nothing is built, so nothing would be sent.');
    return 0;
  }
  const p = await agent.getPreview(line.categories ? { categories: line.categories } : undefined);
  if (line.json) {
    io.out(p.text);
    return 0;
  }
  io.out(describePreview(p));
  const hint = noServerHint(await agent.getStatus(), configFile);
  if (hint) io.out('\n' + hint);
  return 0;
}

/** Every matching entry, newest first, page by page (the API gives at most 1,000 at a time). */
async function history(agent: Agent, io: CliIo, json: boolean, filter: HistoryFilter | undefined): Promise<number> {
  const summaries = new Map<string, HistorySummary>();
  let page;
  let before;
  do {
    before = summaries.size;
    // An entry appended meanwhile moves the pages by one: an entry seen twice is kept once.
    page = await agent.listHistory({ offset: summaries.size, limit: 1000, ...(filter ? { filter } : {}) });
    if (page.unreadable) {
      io.err(`candor: the history is not read: ${page.unreadable}.`);
      return 1;
    }
    for (const e of page.entries) summaries.set(e.id, e);
  } while (summaries.size < page.total && summaries.size > before);
  if (json) {
    const full = await Promise.all([...summaries.keys()].map((id) => agent.getHistoryEntry({ id })));
    io.out(JSON.stringify(full, null, 2));
    return 0;
  }
  if (page.unfiltered === 0) {
    io.out('Nothing has been sent yet.');
    return 0;
  }
  if (summaries.size > 0) io.out([...summaries.values()].map(historyLine).join('\n'));
  if (filter && isFiltered(filter)) io.out(historyCountLine(page, filter));
  return 0;
}

/** `candor export`: the exact next report in a file (or on stdout), for a machine without internet. */
async function exportReport(agent: Agent, io: CliIo, line: CommandLine): Promise<number> {
  if (line.categories === null) throw new ApiError('invalid-input', 'At the off level nothing is built: choose full or basic (`--level basic`).');
  const choice = line.categories ? { categories: line.categories } : undefined;
  if (!line.out) {
    io.out((await agent.exportReport(choice)).text.replace(/\n$/, ''));
    return 0;
  }
  // The file is made first: one that exists already, or cannot be made, is refused before the export is logged.
  const { open, rm } = await import('node:fs/promises');
  let file;
  try {
    file = await open(line.out, 'wx', 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ApiError(
      'unavailable',
      code === 'EEXIST'
        ? `${line.out} exists already: nothing was overwritten, and nothing was exported.`
        : `${line.out} could not be written (${code ?? 'error'}).`,
    );
  }
  let exported;
  try {
    exported = await agent.exportReport(choice);
    await file.writeFile(exported.text);
    await file.sync();
  } catch (error) {
    await file.close();
    await rm(line.out, { force: true });
    throw error;
  }
  await file.close();
  io.out(`Exported the ${exported.level} report (${exported.entry.size} bytes, sha256 ${exported.sha256}) to ${line.out}.`);
  io.out('Carry it to a machine with internet: `candor-collector import FILE`, or POST it to the collector (see docs/collector.md).');
  return 0;
}
