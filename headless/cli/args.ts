import { parseArgs } from 'node:util';
import { shownValue, switchFrom, type Switch } from '../../core/consent/switch';
import { CATEGORY_WORDS, POLICY_CATEGORIES, PRESETS, REQUIRED_CATEGORY, type PolicyCategory } from '../../shared/schema/levels';
import { ENTRY_LEVELS, OUTCOME_FILTERS, type EntryLevel, type HistoryFilter, type OutcomeFilter } from '../../shared/api-contract';
import { dateBound } from '../../shared/history-filter';

/**
 * The `candor` command line read into a request, before anything else is loaded or touched: bad
 * usage is answered without creating the data folder, and `--help` without loading the agent.
 */
export const COMMANDS = ['status', 'preview', 'send', 'history', 'verify', 'consent', 'export', 'reset-id', 'delete-data', 'run', 'serve'] as const;
export type CommandName = (typeof COMMANDS)[number];

export interface CommandLine {
  command: CommandName;
  json: boolean;
  /** `--share`, `--no-share` or `--share=<value>`: a decision for this run. */
  share?: Switch;
  /** `consent full|basic|local|no` (`yes` = full), as an answer and its categories. */
  answer?: { choice: 'share' | 'local' | 'decline'; categories?: PolicyCategory[] };
  /** `preview` / `export` at a level other than the current one (`--level`, `--without`); null: off. */
  categories?: PolicyCategory[] | null;
  /** `export --out FILE`. */
  out?: string;
  /** `history --outcome … --since … --until … --level … --grep …`: what to show. */
  historyFilter?: HistoryFilter;
  /** `serve`. */
  port: number;
  host: string;
  allowRemote: boolean;
  /** `serve --open`: ask the default browser to open the admin UI, where there is one. */
  open: boolean;
}

export type ParsedArgs = { kind: 'help'; exitCode: 0 | 2 } | { kind: 'version' } | { kind: 'usage'; message: string } | { kind: 'command'; line: CommandLine };

const OPTIONS = {
  json: { type: 'boolean' },
  share: { type: 'boolean' },
  'no-share': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
  port: { type: 'string' },
  host: { type: 'string' },
  'allow-remote': { type: 'boolean' },
  open: { type: 'boolean' },
  level: { type: 'string' },
  without: { type: 'string' },
  out: { type: 'string' },
  outcome: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  grep: { type: 'string' },
} as const;

type StringOption = 'port' | 'host' | 'level' | 'out' | 'outcome' | 'since' | 'until' | 'grep';
/** Where each flag that takes a value may be used. */
const FLAG_COMMANDS: Record<StringOption | 'without', readonly string[]> = {
  port: ['serve'],
  host: ['serve'],
  level: ['preview', 'export', 'history'],
  without: ['consent', 'preview', 'export'],
  out: ['export'],
  outcome: ['history'],
  since: ['history'],
  until: ['history'],
  grep: ['history'],
};
/** Flags that may be given more than once (or as a comma-separated list): their values add up. */
const LIST_OPTIONS = new Set<string>(['without', 'outcome', 'level']);

type OptionName = keyof typeof OPTIONS;
const isOption = (name: string): name is OptionName => Object.hasOwn(OPTIONS, name);

export function parseCommandLine(argv: string[]): ParsedArgs {
  // Not strict: Node's own messages for unknown flags are long and quote badly; each is said here in one line.
  const { tokens } = parseArgs({ args: argv, options: OPTIONS, strict: false, allowPositionals: true, tokens: true });
  const flags = new Set<OptionName>();
  const strings: Partial<Record<StringOption, string>> = {};
  const lists: Record<string, string[]> = { without: [], outcome: [], level: [] };
  const without = lists.without!;
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
      if (LIST_OPTIONS.has(token.name)) lists[token.name]!.push(...token.value.split(','));
      if (token.name !== 'without') strings[token.name as StringOption] = token.value;
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
  const share: Switch | undefined =
    written.length > 0 ? (written.find((v) => v !== true) ?? true) : flags.has('share') ? true : flags.has('no-share') ? false : undefined;
  for (const flag of [...(Object.keys(strings) as StringOption[]), ...(without.length ? (['without'] as const) : [])]) {
    if (!FLAG_COMMANDS[flag].includes(command)) return usage(`--${flag} does not go with ${command}`);
  }
  if (flags.has('open') && command !== 'serve') return usage(`--open does not go with ${command}`);
  const removed: PolicyCategory[] = [];
  for (const word of without) {
    const category = CATEGORY_WORDS[word.trim().toLowerCase()];
    if (!category)
      return usage(
        `--without takes ${Object.keys(CATEGORY_WORDS)
          .filter((w) => w !== 'app' && w !== 'config')
          .join(', ')} (not "${shownValue(word)}")`,
      );
    if (category === REQUIRED_CATEGORY) return usage('application details are the least any report carries; `candor consent no` sends nothing');
    removed.push(category);
  }
  let consentAnswer: CommandLine['answer'];
  if (command === 'consent') {
    const word = answer === 'yes' ? 'full' : answer;
    if (word !== 'full' && word !== 'basic' && word !== 'local' && word !== 'no') return usage('consent takes full, basic, local or no (yes means full)');
    if (word === 'no' && removed.length) return usage('--without does not go with consent no');
    consentAnswer =
      word === 'no'
        ? { choice: 'decline' }
        : { choice: word === 'local' ? 'local' : 'share', categories: chosen(word === 'basic' ? PRESETS.basic : POLICY_CATEGORIES, removed) };
  }
  let historyFilter: HistoryFilter | undefined;
  if (command === 'history') {
    const read = readHistoryFilter(lists.outcome!, lists.level!, strings);
    if (typeof read === 'string') return usage(read);
    historyFilter = read;
  }
  let categories: CommandLine['categories'];
  if (command !== 'history' && (strings.level !== undefined || removed.length)) {
    const level = (strings.level ?? 'full').trim().toLowerCase();
    if (level !== 'full' && level !== 'basic' && level !== 'local' && level !== 'off') return usage('--level takes full, basic, local or off');
    categories = level === 'off' ? null : chosen(level === 'basic' ? PRESETS.basic : POLICY_CATEGORIES, removed);
  }
  const port = strings.port ?? '0';
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) return usage('--port takes a number from 0 to 65535');
  return {
    kind: 'command',
    line: {
      command: command as CommandName,
      json: flags.has('json'),
      ...(share !== undefined ? { share } : {}),
      ...(consentAnswer ? { answer: consentAnswer } : {}),
      ...(categories !== undefined ? { categories } : {}),
      ...(strings.out !== undefined ? { out: strings.out } : {}),
      ...(historyFilter ? { historyFilter } : {}),
      port: Number(port),
      host: strings.host ?? '127.0.0.1',
      allowRemote: flags.has('allow-remote'),
      open: flags.has('open'),
    },
  };
}

const listed = (values: readonly string[]) => `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`;

/** `candor history`'s search flags as the API's filter, or what is wrong with them in one line. */
function readHistoryFilter(outcomes: string[], levels: string[], strings: Partial<Record<StringOption, string>>): HistoryFilter | string {
  const filter: HistoryFilter = {};
  for (const word of outcomes.map((w) => w.trim().toLowerCase())) {
    if (!(OUTCOME_FILTERS as readonly string[]).includes(word)) return `--outcome takes ${listed(OUTCOME_FILTERS)} (not "${shownValue(word)}")`;
    (filter.outcomes ??= []).push(word as OutcomeFilter);
  }
  for (const word of levels.map((w) => w.trim().toLowerCase())) {
    if (!(ENTRY_LEVELS as readonly string[]).includes(word))
      return `--level takes ${listed(ENTRY_LEVELS)} when searching the history (not "${shownValue(word)}")`;
    (filter.levels ??= []).push(word as EntryLevel);
  }
  for (const [flag, end] of [
    ['since', 'start'],
    ['until', 'end'],
  ] as const) {
    const text = strings[flag];
    if (text === undefined) continue;
    const at = dateBound(text, end);
    if (at === null) return `--${flag} takes a date (2026-11-25) or a time (2026-11-25T16:05, with Z or an offset if you like), not "${shownValue(text)}"`;
    filter[flag] = at;
  }
  if (filter.since && filter.until && Date.parse(filter.since) > Date.parse(filter.until)) return '--since is after --until: nothing could match';
  if (strings.grep !== undefined) {
    if (strings.grep === '' || strings.grep.length > 256 || /[\u0000-\u001f\u007f]/.test(strings.grep)) return '--grep takes 1 to 256 characters of text';
    filter.text = strings.grep;
  }
  return filter;
}

function usage(message: string): ParsedArgs {
  return { kind: 'usage', message };
}

function chosen(from: readonly PolicyCategory[], removed: PolicyCategory[]): PolicyCategory[] {
  return from.filter((c) => !removed.includes(c));
}
