import type { ReactNode } from 'react';
import { Icon } from './Icon';

/** Says which setting fixed a value (the config file, the environment, a flag): the UI cannot change it. */
export function LockedBy({ by }: { by: string }) {
  return (
    <span className="locked-by">
      <Icon name="lock" /> Set by {by}
    </span>
  );
}

/** What a field's control must carry so its label and its help line are read with it. */
export interface FieldControl {
  id: string;
  'aria-describedby': string;
}

/**
 * One form field: its label, its control and the help line under it, tied together for assistive
 * technology. The control comes from `children`, given the id and `aria-describedby` to spread on
 * it. When a setting fixes the value (`lockedBy`), the help line says which one instead. `after`
 * follows the help line (what the field's value turned out to mean).
 */
export function Field({
  id,
  label,
  help,
  lockedBy,
  helpClassName,
  helpTestId,
  after,
  children,
}: {
  id: string;
  label: string;
  help: ReactNode;
  lockedBy?: string | undefined;
  helpClassName?: string;
  helpTestId?: string;
  after?: ReactNode;
  children: (control: FieldControl) => ReactNode;
}) {
  const helpId = `${id}-help`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-describedby': helpId })}
      <p className={helpClassName ? `help ${helpClassName}` : 'help'} id={helpId} data-testid={helpTestId}>
        {lockedBy ? <LockedBy by={lockedBy} /> : help}
      </p>
      {after}
    </div>
  );
}
