/**
 * The music server connection: address, admin user, password; "find a server on this machine";
 * a connection test with one line per check; save. Fields fixed by the config file are shown
 * read-only with the setting that fixes them. The password is write-only: never shown, never read
 * back, only replaced. A saved password belongs to the server (origin) it was saved for: when the
 * address is changed to another one, the form asks for the password again and says why.
 */
import { useId, useRef, useState, type FormEvent } from 'react';
import type { ConnectionCheck, ConnectionTestResult, SettingsView } from '../../shared/api-contract';
import { messageOf } from '../state/messages';
import { useApi, useCandor } from '../state/context';
import { Field } from './Field';
import { Icon } from './Icon';
import { Notice, Spinner } from './Notice';
import { ServerLocation } from './ServerLocation';

const CHECK_LABELS: Record<ConnectionCheck['name'], string> = {
  reach: 'Reach the server',
  login: 'Sign in',
  admin: 'Administrator rights',
  library: 'Read library counts',
  config: "Read the server's settings",
  uptime: 'Learn when the server started',
};

const STORAGE_TEXT: Record<SettingsView['server']['passwordStorage'], string> = {
  'os-keychain': 'A password for this server is stored in the system keychain. Leave this empty to keep it.',
  'private-file': 'A password for this server is stored in a private file that only your user can read. Leave this empty to keep it.',
  'config-file': 'The password comes from the config file.',
  none: 'No password is stored yet.',
};

/** Why the password is asked again: the rule, in the words the agent uses too. */
export const PASSWORD_STAYS = 'A saved password is only ever sent to the server it was saved for.';

const originOf = (url: string | null): string | null => {
  try {
    return url ? new URL(url).origin : null;
  } catch {
    return null;
  }
};

/** What the password field says (and whether it must be filled) for the address being edited. */
function passwordNeed(server: SettingsView['server'], url: string): { ask: boolean; text: string } {
  const typed = originOf(url.trim());
  const saved = originOf(server.url);
  if (typed !== null && saved !== null && typed !== saved) {
    return { ask: true, text: `This is another server than the one saved: type its password. ${PASSWORD_STAYS}` };
  }
  if (server.passwordStorage !== 'none' && !server.passwordForThisServer) {
    return {
      ask: true,
      text: `The stored password was saved for another server address, so it is not used here: type the password for this server. ${PASSWORD_STAYS}`,
    };
  }
  return { ask: false, text: STORAGE_TEXT[server.passwordStorage] };
}

export function ConnectionResult({ result }: { result: ConnectionTestResult }) {
  return (
    <div className="connection-result">
      <p className={result.ok ? 'result-ok' : 'result-bad'}>
        <strong>
          {result.ok
            ? `Connected${result.serverType ? ` to ${result.serverType}` : ''}${result.serverVersion ? ` ${result.serverVersion}` : ''}.`
            : 'The connection does not work yet.'}
        </strong>
      </p>
      <ul className="checks" aria-label="Connection checks">
        {result.checks.map((check) => (
          <li key={check.name} className={`check check-${check.state}`}>
            <Icon name={check.state === 'ok' ? 'check' : check.state === 'failed' ? 'cross' : 'skip'} />
            <span className="check-name">{CHECK_LABELS[check.name]}:</span>{' '}
            <span className="check-state">{check.state === 'ok' ? 'OK' : check.state === 'failed' ? 'failed' : 'skipped'}.</span>{' '}
            <span className="check-message">{check.message}</span>
          </li>
        ))}
      </ul>
      {result.location ? <ServerLocation location={result.location} /> : null}
    </div>
  );
}

export function ConnectionForm({
  onSaved,
  showConfigFile = false,
  saveLabel = 'Save connection',
}: {
  onSaved?: () => void;
  showConfigFile?: boolean;
  saveLabel?: string;
}) {
  const api = useApi();
  const settings = useCandor((s) => s.status?.settings);
  const savedLocation = useCandor((s) => s.status?.serverLocation ?? null);
  const setStatus = useCandor((s) => s.setStatus);
  const id = useId();
  const [url, setUrl] = useState(settings?.server.url ?? '');
  const [username, setUsername] = useState(settings?.server.username ?? '');
  const [password, setPassword] = useState('');
  const [configFile, setConfigFile] = useState(settings?.server.configFile ?? '');
  const [busy, setBusy] = useState<null | 'test' | 'detect' | 'save'>(null);
  const [result, setResult] = useState<ConnectionTestResult | null>(null);
  const [message, setMessage] = useState<{ tone: 'ok' | 'error' | 'info'; text: string } | null>(null);
  const passwordRef = useRef<HTMLInputElement>(null);

  if (!settings) return null;
  const fixed = settings.fixedBy;
  const need = fixed['server.password'] ? { ask: false, text: '' } : passwordNeed(settings.server, url);
  const missingPassword = need.ask && !password && url.trim() !== '';

  const test = async () => {
    setBusy('test');
    setMessage(null);
    setResult(null);
    try {
      setResult(await api.testConnection({ url: url.trim(), username: username.trim(), ...(password ? { password } : {}) }));
    } catch (error) {
      setMessage({ tone: 'error', text: messageOf(error) });
    } finally {
      setBusy(null);
    }
  };

  const detect = async () => {
    setBusy('detect');
    setMessage(null);
    try {
      const found = await api.detectLocalServer();
      if (found) {
        if (!fixed['server.url']) setUrl(found.url);
        setMessage({ tone: 'ok', text: `Found ${found.serverType ?? 'a music server'} at ${found.url}.` });
      } else {
        setMessage({ tone: 'info', text: 'No music server answered on this machine’s default port (4533). Type its address instead.' });
      }
    } catch (error) {
      setMessage({ tone: 'error', text: messageOf(error) });
    } finally {
      setBusy(null);
    }
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (missingPassword && url.trim() !== (settings.server.url ?? '')) {
      setMessage({ tone: 'error', text: `Type the password for ${url.trim()}: ${PASSWORD_STAYS.charAt(0).toLowerCase()}${PASSWORD_STAYS.slice(1)}` });
      passwordRef.current?.focus();
      return;
    }
    setBusy('save');
    setMessage(null);
    const server: { url?: string; username?: string; password?: string; configFile?: string } = {};
    if (!fixed['server.url'] && url.trim() !== (settings.server.url ?? '')) server.url = url.trim();
    if (!fixed['server.username'] && username.trim() !== (settings.server.username ?? '')) server.username = username.trim();
    if (!fixed['server.password'] && password) server.password = password;
    if (showConfigFile && !fixed['server.configFile'] && configFile.trim() !== (settings.server.configFile ?? '')) server.configFile = configFile.trim();
    try {
      if (Object.keys(server).length > 0) setStatus(await api.updateSettings({ server }));
      setPassword('');
      setMessage({ tone: 'ok', text: 'Saved. The preview now reads from this server.' });
      onSaved?.();
    } catch (error) {
      setMessage({ tone: 'error', text: messageOf(error) });
    } finally {
      setBusy(null);
    }
  };

  return (
    <form className="form connection-form" onSubmit={(event) => void save(event)} noValidate aria-busy={busy !== null}>
      <Field
        id={`${id}-url`}
        label="Server address"
        lockedBy={fixed['server.url']}
        help="The address you open Navidrome (or another OpenSubsonic server) at. It is used only to read counts and settings; it is never sent."
        after={
          // Where the saved server runs, as last read; a test of the typed address says it anew.
          savedLocation && savedLocation.basis !== 'no-server' && !result && url.trim() === settings.server.url ? (
            <ServerLocation location={savedLocation} compact={showConfigFile} />
          ) : null
        }
      >
        {(control) => (
          <div className="inline">
            <input
              {...control}
              type="url"
              inputMode="url"
              autoComplete="off"
              spellCheck={false}
              placeholder="http://127.0.0.1:4533"
              value={url}
              readOnly={Boolean(fixed['server.url'])}
              onChange={(e) => setUrl(e.target.value)}
            />
            {!fixed['server.url'] ? (
              <button type="button" className="button secondary" onClick={() => void detect()} disabled={busy !== null}>
                {busy === 'detect' ? <Spinner label="Looking…" /> : 'Find a server on this machine'}
              </button>
            ) : null}
          </div>
        )}
      </Field>
      <Field
        id={`${id}-user`}
        label="Admin user name"
        lockedBy={fixed['server.username']}
        help="An administrator: Navidrome shows user and library counts only to admins. The name is never sent."
      >
        {(control) => (
          <input
            {...control}
            autoComplete="username"
            spellCheck={false}
            value={username}
            readOnly={Boolean(fixed['server.username'])}
            onChange={(e) => setUsername(e.target.value)}
          />
        )}
      </Field>
      <Field
        id={`${id}-password`}
        label="Password"
        lockedBy={fixed['server.password']}
        help={need.text}
        {...(need.ask ? { helpClassName: 'help-ask' } : {})}
        helpTestId="password-help"
      >
        {(control) => (
          <input
            {...control}
            ref={passwordRef}
            type="password"
            autoComplete="current-password"
            value={password}
            readOnly={Boolean(fixed['server.password'])}
            required={need.ask}
            aria-invalid={missingPassword && message?.tone === 'error' ? true : undefined}
            onChange={(e) => setPassword(e.target.value)}
          />
        )}
      </Field>
      {showConfigFile ? (
        <Field
          id={`${id}-config`}
          label="Server config file (optional)"
          lockedBy={fixed['server.configFile']}
          help="When the server runs on this machine, its config file tells Candor which features are on and which filesystems the folders use. The path is never sent."
        >
          {(control) => (
            <input
              {...control}
              spellCheck={false}
              autoComplete="off"
              placeholder="/var/lib/navidrome/navidrome.toml"
              value={configFile}
              readOnly={Boolean(fixed['server.configFile'])}
              onChange={(e) => setConfigFile(e.target.value)}
            />
          )}
        </Field>
      ) : null}
      <div className="actions">
        <button type="button" className="button secondary" onClick={() => void test()} disabled={busy !== null || !url.trim() || !username.trim()}>
          {busy === 'test' ? <Spinner label="Testing…" /> : 'Test connection'}
        </button>
        <button type="submit" className="button primary" disabled={busy !== null}>
          {busy === 'save' ? <Spinner label="Saving…" /> : saveLabel}
        </button>
      </div>
      <div aria-live="polite" className="form-feedback">
        {result ? <ConnectionResult result={result} /> : null}
        {message ? (
          <Notice tone={message.tone === 'error' ? 'error' : message.tone === 'ok' ? 'ok' : 'info'}>
            <p>{message.text}</p>
          </Notice>
        ) : null}
      </div>
    </form>
  );
}
