import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { CLI_EXTERNAL } from '../../scripts/build-cli.mjs';
import { ESM_BANNER } from '../../scripts/build-electron.mjs';
import type { AgentStatus, SendOutcome } from '../../shared/api-contract';
import type { FleetAgentOptions, FleetRequest } from './fleet-agent';
import type { ShellChildOptions, ShellRequest } from './shell-child';

type Reply = { id: number; ok: boolean; value?: unknown; error?: string };
/** A request as the parent writes it: the child's request type without the id the parent adds. */
type RequestOf<R> = R extends { id: number } ? Omit<R, 'id'> : never;
type Request = RequestOf<FleetRequest> | RequestOf<ShellRequest>;

const bundles = new Map<string, Promise<string>>();

/**
 * A test-support script bundled once per test file, to run as a child process: it starts in a
 * tenth of the time tsx needs, which matters when tests kill and replace processes dozens of times.
 * It lives under node_modules so the native lock addon resolves from it as from the sources.
 */
export function bundleForChild(script: string): Promise<string> {
  let bundle = bundles.get(script);
  if (!bundle) {
    bundle = (async () => {
      const dir = path.resolve(import.meta.dirname, '../../node_modules/.cache/candor-test');
      mkdirSync(dir, { recursive: true });
      const outfile = path.join(dir, `${path.basename(script, '.ts')}-${process.pid}.mjs`);
      await build({
        entryPoints: [path.join(import.meta.dirname, script)],
        outfile,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        // Dependencies bundled in, as in the command line: one file to load, not hundreds, so a replaced
        // agent is ready sooner. Native and driver packages resolve from node_modules.
        external: CLI_EXTERNAL,
        banner: { js: ESM_BANNER },
        logLevel: 'silent',
      });
      return outfile;
    })();
    bundles.set(script, bundle);
  }
  return bundle;
}

/**
 * An agent in its own process, driven by requests over IPC (replies by id; id 0 says it is ready):
 * fleet-agent.ts, or shell-child.ts for a real `candor run` / `candor serve`.
 */
export class FleetMember {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  readonly exited: Promise<void>;

  private constructor(
    readonly child: ChildProcess,
    readonly label: string,
  ) {
    child.on('message', (reply: Reply) => {
      const waiter = this.waiting.get(reply.id);
      if (!waiter) return;
      this.waiting.delete(reply.id);
      if (reply.ok) waiter.resolve(reply.value);
      else waiter.reject(new Error(`${label}: ${reply.error}`));
    });
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    void this.exited.then(() => {
      for (const waiter of this.waiting.values()) waiter.reject(new Error(`${label} exited`));
      this.waiting.clear();
    });
  }

  static spawn(options: FleetAgentOptions): Promise<FleetMember> {
    return FleetMember.fork('fleet-agent.ts', options, options.label);
  }

  /** Starts `script` (a test-support file, bundled) with its options, and waits until it says it is ready. */
  static async fork(script: 'fleet-agent.ts' | 'shell-child.ts', options: FleetAgentOptions | ShellChildOptions, label: string): Promise<FleetMember> {
    const child = fork(await bundleForChild(script), [JSON.stringify(options)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const member = new FleetMember(child, label);
    await new Promise<void>((resolve, reject) => {
      member.waiting.set(0, { resolve: () => resolve(), reject });
    });
    return member;
  }

  get pid(): number {
    return this.child.pid!;
  }

  request<T>(request: Request): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve, reject });
      this.child.send({ ...request, id });
    });
  }

  start = () => this.request<null>({ type: 'start' });
  advance = (to: number) => this.request<number>({ type: 'advance', to });
  status = () => this.request<AgentStatus>({ type: 'status' });
  send = () => this.request<SendOutcome>({ type: 'send' });
  consent = (choice: 'share' | 'decline') => this.request<AgentStatus>({ type: 'consent', choice });
  /** The sharing state of each status event pushed since the last call. */
  events = () => this.request<boolean[]>({ type: 'events' });

  /** Stops cleanly, as on SIGTERM: waits for an attempt on the wire, leaves the lease. */
  async stop(): Promise<void> {
    await this.request({ type: 'stop' }).catch(() => undefined);
    await this.exited;
  }

  /** Dies at once, as a crash or `kill -9` would: no clean-up of any kind. */
  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }
}
