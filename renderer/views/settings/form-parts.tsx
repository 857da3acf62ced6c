/** The save cycle shared by the one-field settings forms (endpoint, retention). */
import { useState } from 'react';
import { Notice, Spinner } from '../../components/Notice';
import { messageOf } from '../../state/messages';

type FormMessageValue = { ok: boolean; text: string } | null;

/** One settings form's save cycle: busy while saving, then a success or error message. */
export function useSave() {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<FormMessageValue>(null);
  const run = async (work: () => Promise<string>) => {
    setBusy(true);
    setMessage(null);
    try {
      setMessage({ ok: true, text: await work() });
    } catch (e) {
      setMessage({ ok: false, text: messageOf(e) });
    } finally {
      setBusy(false);
    }
  };
  return { busy, message, setMessage, run };
}

export function SaveButton({ locked, busy, disabled = false }: { locked: string | undefined; busy: boolean; disabled?: boolean }) {
  if (locked) return null;
  return (
    <button type="submit" className="button secondary" disabled={busy || disabled}>
      {busy ? <Spinner label="Saving…" /> : 'Save'}
    </button>
  );
}

export function FormMessage({ message }: { message: FormMessageValue }) {
  if (!message) return null;
  return (
    <Notice tone={message.ok ? 'ok' : 'error'} role={message.ok ? 'status' : 'alert'}>
      <p>{message.text}</p>
    </Notice>
  );
}
