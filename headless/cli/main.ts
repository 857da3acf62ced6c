import { AGENT_VERSION } from '../../core/version';
import { parseCommandLine } from './args';
import type { CliIo } from './io';

/**
 * The `candor` command line: a stable contract users script against (see README "Command line").
 * This module is the bundle's entry (dist/cli/candor.js): it reads the arguments and answers
 * `--help`, `--version` and bad usage with nothing else loaded; the agent comes with the command.
 */
export function usage(defaultHome: string): string {
  return `candor ${AGENT_VERSION}: see and control the anonymous usage statistics your music server shares.

Usage: candor <command> [options]

Commands:
  status [--json]        Sharing, its level and who decided, instance id, server, last result, next due time, source health
  preview [--json]       The exact bytes the next report would send (--json: those bytes alone)
          [--level L] [--without C]   ...at another level, without changing your choice
  send                   Send a report now if sharing allows (ignores the daily timer, never consent)
  history [--json]       Every attempt: time, result, trigger, level, size, sha256
          [--outcome O] [--since DATE] [--until DATE] [--level L] [--grep TEXT]
                         ...only those that match: O is sent, failed, not-sent, exported or
                         kept-locally; DATE 2026-11-25 (a whole local day) or an ISO 8601 time;
                         TEXT is searched in the exact bytes, any case
  verify [--json]        Ask the collector what it holds about this machine and compare it with
                         the history (exit 1 when it holds anything not sent from here)
  consent full|basic|local|no   Save your answer (yes = full; a config setting still wins)
          [--without C]  Leave a category out: system, library or configuration (repeatable)
  export [--out FILE]    The exact next report in a file, for a machine without internet
          [--level L] [--without C]
  reset-id               Make a new random anonymous ID
  delete-data            Ask the collector to delete this machine's reports (proven by a secret kept here)
  run                    Keep the daily schedule (the long-running headless agent)
  serve [--port N]       Serve the admin UI on 127.0.0.1 (prints a URL holding a per-run secret)
        [--open]         ...and open it in the default browser, where there is a desktop
        [--host H --allow-remote]   Bind elsewhere (the secret then crosses the network in clear)

Options:
  --share / --no-share   Decide sharing for this run (wins over everything else)
  -h, --help             This help
  -v, --version          The version

Environment:
  CANDOR_HOME            Data folder (default: ${defaultHome})
  CANDOR_CONFIG          Config file (default: $CANDOR_HOME/candor.toml)
  DO_NOT_TRACK=1         Turns sharing off (any value but empty or 0)
  CANDOR_INSIGHTS_ENABLED=true|false   Turns sharing on or off
  CANDOR_INSIGHTS_LEVEL=full|basic|local|off   Decides how much (the most private setting wins)

Exit codes: 0 success, 1 the action failed (reason on stderr), 2 bad usage.`;
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandLine(argv);
  switch (parsed.kind) {
    case 'version':
      io.out(AGENT_VERSION);
      return 0;
    case 'help': {
      const { defaultHome } = await import('../../core/settings/candor-config');
      io.out(usage(defaultHome(io.env)));
      return parsed.exitCode;
    }
    case 'usage':
      io.err(`candor: ${parsed.message} (see candor --help)`);
      return 2;
    case 'command': {
      const { runCommand } = await import('./commands');
      return runCommand(parsed.line, io);
    }
  }
}
