/**
 * How much is shared, changed in Settings: the same picker as the wizard, the exact report of the
 * level pointed at, and one button to apply it. When a configuration setting decides, the picker
 * shows the level in force, cannot be changed, and names the setting.
 */
import { useState, type FormEvent } from 'react';
import type { ConsentState } from '../../../shared/api-contract';
import { LockedBy } from '../../components/Field';
import { LevelPicker } from '../../components/LevelPicker';
import { LevelPreview } from '../../components/LevelPreview';
import { ErrorNotice, Spinner } from '../../components/Notice';
import { choiceOf, LEVEL_TITLES, optionOf, sameChoice } from '../../helpers/levels';
import { useSaveLevel } from '../../state/save-level';

export function LevelForm({ consent }: { consent: ConsentState }) {
  const inForce = choiceOf(consent);
  const [choice, setChoice] = useState(inForce);
  const { busy, error, save } = useSaveLevel();
  const changed = !sameChoice(choice, inForce);

  const apply = (event: FormEvent) => {
    event.preventDefault();
    void save(choice);
  };

  return (
    <form className="form level-form" onSubmit={apply} aria-label="Level of sharing">
      <LevelPicker value={choice} onChange={setChoice} disabled={consent.locked} legend="How much is shared" compact />
      {consent.locked ? (
        <p className="help">
          <LockedBy by={consent.decidedByLabel} />
        </p>
      ) : (
        <div className="actions">
          <button type="submit" className="button primary" disabled={!changed || busy}>
            {busy ? <Spinner label="Saving…" /> : changed ? `Use ${LEVEL_TITLES[optionOf(choice)]}` : 'In use'}
          </button>
        </div>
      )}
      <LevelPreview choice={choice} compact />
      <ErrorNotice error={error} />
    </form>
  );
}
