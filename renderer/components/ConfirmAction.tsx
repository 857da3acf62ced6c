/**
 * An action that asks first, in place: a button opens a short confirmation that takes focus, and
 * gives it back to the button when cancelled (Escape works too). A failure is shown under it.
 */
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { messageOf } from '../state/messages';
import { ErrorNotice, Spinner } from './Notice';

export function ConfirmAction({
  openLabel,
  question,
  confirmLabel,
  busyLabel,
  onConfirm,
  children,
}: {
  openLabel: string;
  /** The question, in bold, followed by `children` (what happens, in plain words). */
  question: string;
  confirmLabel: string;
  busyLabel: string;
  onConfirm: () => Promise<unknown>;
  children: ReactNode;
}) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const openRef = useRef<HTMLButtonElement>(null);
  const wasConfirming = useRef(false);
  const titleId = useId();

  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
    else if (wasConfirming.current) openRef.current?.focus();
    wasConfirming.current = confirming;
  }, [confirming]);

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      setConfirming(false);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      {!confirming ? (
        <button ref={openRef} type="button" className="button secondary" onClick={() => setConfirming(true)}>
          {openLabel}
        </button>
      ) : (
        <div className="confirm" role="group" aria-labelledby={titleId} onKeyDown={(e) => e.key === 'Escape' && !busy && setConfirming(false)}>
          <p id={titleId}>
            <strong>{question}</strong> {children}
          </p>
          <div className="actions">
            <button ref={confirmRef} type="button" className="button danger" onClick={() => void confirm()} disabled={busy}>
              {busy ? <Spinner label={busyLabel} /> : confirmLabel}
            </button>
            <button type="button" className="button secondary" onClick={() => setConfirming(false)} disabled={busy}>
              Cancel
            </button>
          </div>
        </div>
      )}
      <ErrorNotice error={error} />
    </>
  );
}
