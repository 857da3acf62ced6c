import type { Agent } from '../../core/agent';
import type { CommandLine } from './args';
import type { CliIo } from './io';
import { noServerHint, schedulerLine, startupNotice, type ConfigFileView } from './text';
import { rendererDir, startHeadlessServer } from '../serve/start';
import { openInBrowser } from './open-browser';
import { describeServeError } from '../serve/server';

/**
 * Resolves on Ctrl+C or SIGTERM; installed before anything is printed so no signal is missed. Holds
 * the process open meanwhile (the agent's own timers are unref'd so that one-shot commands can
 * exit); `cancel` lets go when start-up fails, so the process ends instead of hanging.
 */
function untilStopped(): { stopped: Promise<void>; cancel: () => void } {
  const keepAlive = setInterval(() => {}, 2 ** 30);
  let stop = () => {};
  const stopped = new Promise<void>((resolve) => {
    stop = () => {
      clearInterval(keepAlive);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return { stopped, cancel: stop };
}

/** `candor run`: keeps the schedule, after saying (once started, so the grace period's end is known) what goes when. */
export async function run(agent: Agent, io: CliIo, configFile: ConfigFileView): Promise<number> {
  const { stopped } = untilStopped();
  await agent.start();
  const preview = await agent.getPreview();
  const status = await agent.getStatus();
  io.out(startupNotice(status, preview));
  const standby = schedulerLine(status);
  if (standby) io.out(standby);
  const hint = noServerHint(status, configFile);
  if (hint) io.out('\n' + hint);
  for (const warning of status.warnings) io.err(`Warning: ${warning}`);
  await stopped;
  await agent.stop();
  return 0;
}

/** `candor serve`: the admin UI on loopback. A start-up failure is one line and exit 1. */
export async function serve(agent: Agent, io: CliIo, line: Pick<CommandLine, 'port' | 'host' | 'allowRemote' | 'open'>): Promise<number> {
  const { stopped, cancel } = untilStopped();
  let server;
  try {
    server = await startHeadlessServer(agent, { port: line.port, host: line.host, allowRemote: line.allowRemote, staticDir: rendererDir(io.env) });
  } catch (error) {
    cancel();
    io.err(`candor: ${describeServeError(error)}`);
    await agent.stop();
    return 1;
  }
  await agent.start();
  io.out(`Candor admin UI: ${server.url}`);
  const opened = line.open && (await openInBrowser(server.url, io.env));
  io.out(
    `${opened ? 'Opening it in your default browser.' : 'Open it in a browser on this machine.'} The link holds a secret for this run only; press Ctrl+C to stop.`,
  );
  await stopped;
  await server.close();
  await agent.stop();
  return 0;
}
