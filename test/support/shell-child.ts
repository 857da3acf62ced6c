/**
 * A real `candor run` or `candor serve` in a child process, on a clock the parent drives
 * (`FleetMember.fork('shell-child.ts', …)` in test/support/fleet.ts). It runs the command's own
 * code (`runCommand`, long-running.ts, the serve shell, the agent following its config file), so
 * only time is simulated: the data folder, the config file, file events, the OS locks and the HTTP
 * to the music server and the receiver are real.
 */
import type { Agent } from '../../core/agent';
import type { AgentStatus } from '../../shared/api-contract';
import { createAxiosHttpClient } from '../../core/net/axios-http-client';
import { parseCommandLine } from '../../headless/cli/args';
import { runCommand } from '../../headless/cli/commands';
import { answerRequests } from './child-requests';
import { FakeClock } from './fake-clock';
import { seededRandom } from './random';

export interface ShellChildOptions {
  /** The command line after `candor`: `['run']`, `['serve', '--port', '0']`. */
  args: string[];
  env: Record<string, string>;
  /** Simulated wall time the machine booted at, and where this process's clock starts. */
  bootStart: number;
  now: number;
  seed: number;
  /** File events on the data and config folders; off to prove the stat each `folderPollMs` alone. */
  watchFiles: boolean;
  /** How often the files are stat'ed (simulated ms); never when not given (JSON has no Infinity). */
  folderPollMs?: number;
}

/** What a status push said, in short. */
export interface Pushed {
  sharing: boolean;
  level: AgentStatus['consent']['level'];
  locked: boolean;
  decidedByLabel: string;
  endpoint: string;
  nextDueAt: string | null;
  warnings: string[];
}

export type ShellRequest = { id: number } & (
  | { type: 'advance'; to: number }
  | { type: 'status' }
  /** The statuses pushed since the last `pushes` (the channel the tray and every UI listen to). */
  | { type: 'pushes' }
  /** Everything the command printed so far, one entry per line. */
  | { type: 'output' }
  /** Ctrl+C: resolves with the exit code. */
  | { type: 'stop' }
);

const options = JSON.parse(process.argv[2]!) as ShellChildOptions;
const parsed = parseCommandLine(options.args);
if (parsed.kind !== 'command') throw new Error(`not a command: ${options.args.join(' ')}`);

const clock = new FakeClock(options.bootStart);
clock.real = options.now;
const printed: string[] = [];
const pushed: Pushed[] = [];
let agent: Agent | null = null;
let ready: () => void = () => {};
const made = new Promise<void>((resolve) => (ready = resolve));

const exitCode = runCommand(
  parsed.line,
  { out: (text) => printed.push(...text.split('\n')), err: (text) => printed.push(...text.split('\n')), env: options.env },
  {
    clock,
    random: seededRandom(options.seed),
    http: createAxiosHttpClient(),
    // Hourly wake-ups keep days of simulation cheap; a change of consent re-plans at once either way.
    tuning: { watchFiles: options.watchFiles, pollMs: { folder: options.folderPollMs ?? Infinity }, schedule: { wakeCapMs: 3600_000 } },
    onAgent: (made) => {
      agent = made;
      clock.afterTimer = () => made.idle();
      made.watchStatus((s) =>
        pushed.push({
          sharing: s.consent.sharing,
          level: s.consent.level,
          locked: s.consent.locked,
          decidedByLabel: s.consent.decidedByLabel,
          endpoint: s.settings.endpoint,
          nextDueAt: s.schedule.nextDueAt,
          warnings: s.warnings,
        }),
      );
      ready();
    },
  },
);

async function handle(request: ShellRequest): Promise<unknown> {
  await made;
  switch (request.type) {
    case 'advance':
      if (request.to > clock.real) await clock.advance(request.to - clock.real);
      await agent!.idle();
      return clock.real;
    case 'status':
      await agent!.idle();
      return agent!.getStatus();
    case 'pushes':
      await agent!.idle();
      return pushed.splice(0);
    case 'output':
      return printed;
    case 'stop':
      process.kill(process.pid, 'SIGTERM');
      return exitCode;
  }
}

answerRequests(handle);
