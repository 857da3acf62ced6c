import type { ReactNode } from 'react';
import { Icon, type IconName } from './Icon';

type Tone = 'info' | 'ok' | 'warn' | 'error' | 'locked';
const ICONS: Record<Tone, IconName> = { info: 'info', ok: 'check', warn: 'alert', error: 'alert', locked: 'lock' };

/** A calm, bordered message. `role` is up to the caller: alert for failures the user just caused, status otherwise. */
export function Notice({ tone, title, children, role, id }: { tone: Tone; title?: ReactNode; children?: ReactNode; role?: 'status' | 'alert'; id?: string }) {
  return (
    <div className={`notice notice-${tone}`} role={role} id={id}>
      <Icon name={ICONS[tone]} className="notice-icon" />
      <div className="notice-body">
        {title ? <p className="notice-title">{title}</p> : null}
        {children}
      </div>
    </div>
  );
}

/** The failure of something the user just did, announced at once; renders nothing without one. */
export function ErrorNotice({ error }: { error: string | null }) {
  if (!error) return null;
  return (
    <Notice tone="error" role="alert">
      <p>{error}</p>
    </Notice>
  );
}

export function Spinner({ label }: { label?: string }) {
  return (
    <span className="spinner-wrap">
      <span className="spinner" aria-hidden="true" />
      {label ? <span>{label}</span> : null}
    </span>
  );
}
