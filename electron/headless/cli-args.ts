import { parseArgs } from 'node:util';
import { shownValue, switchFrom, type Switch } from '../core/consent/switch';

/**
 * The `candor` command line read into a request, before anything else is loaded or touched: bad
 * usage is answered without creating the data folder, and `--help` without loading the agent.
 */
export const COMMANDS = ['status', 'preview', 'send', 'history', 'consent', 'reset-id', 'run', 'serve'] as const;
export type CommandName = (typeof COMMANDS)[number];

export interface CommandLine {
  command: CommandName;
  json: boolean;
  /** `--share`, `--no-share` or `--share=<value>`: a decision for this run. */
  share?: Switch;
  /** `consent yes|no`. */
  answer?: 'yes' | 'no';
  /** `serve`. */
  port: number;
  host: string;
  allowRemote: boolean;
}

export type ParsedArgs =
  | { kind: 'help'; exitCode: 0 | 2 }
  | { kind: 'version' }
  | { kind: 'usage'; message: string }
  | { kind: 'command'; line: CommandLine };

const OPTIONS = {
  json: { type: 'boolean' },
  share: { type: 'boolean' },
  'no-share': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
  port: { type: 'string' },
  host: { type: 'string' },
  'allow-remote': { type: 'boolean' },
} as const;

type OptionName = keyof typeof OPTIONS;
const isOption = (name: string): name is OptionName => Object.hasOwn(OPTIONS, name);

export function parseCommandLine(argv: string[]): ParsedArgs {
  // Not strict: Node's own messages for unknown flags are long and quote badly; each is said here in one line.
  const { tokens } = parseArgs({ args: argv, options: OPTIONS, strict: false, allowPositionals: true, tokens: true });
  const flags = new Set<OptionName>();
  const strings: Partial<Record<'port' | 'host', string>> = {};
  const written: Switch[] = [];
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') positionals.push(token.value);
    if (token.kind !== 'option') continue;
    const shown = shownValue(token.rawName);
    if (!isOption(token.name)) return usage(`unknown option ${shown}`);
    const option = OPTIONS[token.name];
    if (option.type === 'string') {
      // `--port --json`: the next word is another flag, not the value.
      if (token.value === undefined || (!token.inlineValue && /^--?[a-z]/i.test(token.value))) return usage(`${shown} needs a value`);
      strings[token.name as 'port' | 'host'] = token.value;
    } else if (token.inlineValue && (token.name === 'share' || token.name === 'no-share')) {
      // `--share=no` is an opt-out written as a value; `--no-share=<anything>` is one too.
      written.push(token.name === 'no-share' ? false : switchFrom(token.value ?? ''));
    } else if (token.inlineValue) {
      return usage(`${shown} takes no value`);
    } else {
      flags.add(token.name);
    }
  }
  if (flags.has('help')) return { kind: 'help', exitCode: 0 };
  if (flags.has('version')) return { kind: 'version' };
  const [command, answer] = positionals;
  if (command === undefined) return { kind: 'help', exitCode: 2 };
  if (!(COMMANDS as readonly string[]).includes(command)) return usage(`unknown command "${shownValue(command)}"`);
  if ((flags.has('share') && flags.has('no-share')) || (written.length > 0 && (flags.has('share') || flags.has('no-share')))) {
    return usage('--share and --no-share contradict each other');
  }
  // Of several written values, an opt-out (or a value not understood) wins, as everywhere else.
  const share: Switch | undefined = written.length > 0 ? (written.find((v) => v !== true) ?? true) : flags.has('share') ? true : flags.has('no-share') ? false : undefined;
  if (command === 'consent' && answer !== 'yes' && answer !== 'no') return usage('consent takes yes or no');
  const port = strings.port ?? '0';
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) return usage('--port takes a number from 0 to 65535');
  return {
    kind: 'command',
    line: {
      command: command as CommandName,
      json: flags.has('json'),
      ...(share !== undefined ? { share } : {}),
      ...(command === 'consent' ? { answer: answer as 'yes' | 'no' } : {}),
      port: Number(port),
      host: strings.host ?? '127.0.0.1',
      allowRemote: flags.has('allow-remote'),
    },
  };
}

function usage(message: string): ParsedArgs {
  return { kind: 'usage', message };
}
