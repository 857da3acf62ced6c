/**
 * One Candor agent in a child process, on a clock the parent drives (test/support/fleet.ts). Every
 * agent of a fleet shares one data folder and one simulated timeline; each advances its own fake
 * clock to the instant the parent names, firing its timers in order, and answers when it is quiet.
 * Everything else is real: the processes, the OS locks, the files, the HTTP to the receiver.
 */
import { Agent } from '../../core/agent';
import { createAxiosHttpClient } from '../../core/net/axios-http-client';
import { silentLogger } from '../../core/platform';
import { configWith, seededRandom } from './agent-harness';
import { answerRequests } from './child-requests';
import { FakeClock } from './fake-clock';
import { fakeSources } from './fake-sources';

export interface FleetAgentOptions {
  home: string;
  endpoint: string;
  seed: number;
  /** Simulated wall time the fleet started at, and where this agent's clock starts. */
  bootStart: number;
  now: number;
  label: string;
  watchFiles: boolean;
  /** How often the folder is stat'ed when file events are off (simulated ms; Infinity: never). */
  folderPollMs?: number;
}

export type FleetRequest = { id: number } & (
  | { type: 'advance'; to: number }
  | { type: 'status' }
  | { type: 'start' }
  | { type: 'stop' }
  | { type: 'send' }
  | { type: 'consent'; choice: 'share' | 'decline' }
  | { type: 'events' }
  | { type: 'history' }
);

const options = JSON.parse(process.argv[2]!) as FleetAgentOptions;
const clock = new FakeClock(options.bootStart);
clock.real = options.now;
const agent = await Agent.create({
  home: options.home,
  shell: 'headless',
  processLabel: options.label,
  env: {},
  config: configWith({ endpoint: options.endpoint }),
  clock,
  random: seededRandom(options.seed),
  logger: silentLogger,
  http: createAxiosHttpClient(),
  sources: fakeSources(),
  // Hourly wakes and lease polls keep weeks of simulation cheap; the racing under test is the same.
  schedule: { wakeCapMs: 3600_000 },
  pollMs: { lease: 15 * 60_000, folder: options.folderPollMs ?? Infinity },
  watchFiles: options.watchFiles,
});
clock.afterTimer = () => agent.idle();
/**
 * What the agent pushed to a watching UI since the first `events` request: whether each status
 * said sharing was on. (Watching keeps the preview live every 5 s, so only tests that ask watch.)
 */
const sharingSeen: boolean[] = [];
let watching = false;
function watch(): void {
  if (watching) return;
  watching = true;
  agent.subscribe((event) => {
    if (event.type === 'status') sharingSeen.push(event.status.consent.sharing);
  });
}

async function handle(request: FleetRequest): Promise<unknown> {
  switch (request.type) {
    case 'start':
      await agent.start();
      return null;
    case 'advance':
      if (request.to > clock.real) await clock.advance(request.to - clock.real);
      await agent.idle();
      return clock.real;
    case 'status':
      return agent.getStatus();
    case 'send':
      return agent.sendNow();
    case 'consent':
      return agent.setConsent({ choice: request.choice });
    case 'history':
      return agent.listHistory({ offset: 0, limit: 100 });
    case 'events':
      watch();
      return sharingSeen.splice(0);
    case 'stop':
      await agent.stop();
      return null;
  }
}

answerRequests(handle);
