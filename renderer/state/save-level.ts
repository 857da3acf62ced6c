import { useState } from 'react';
import { consentInput, type LevelChoice } from '../helpers/levels';
import { useCandor } from './context';
import { messageOf } from './messages';

/** Saving a level (the wizard's answer, or a change in Settings): busy while the agent answers, then its error if any. */
export function useSaveLevel() {
  const setConsent = useCandor((s) => s.setConsent);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  /** Resolves true once the agent has stored it. */
  const save = async (choice: LevelChoice): Promise<boolean> => {
    setBusy(true);
    setError(null);
    try {
      const input = consentInput(choice);
      await setConsent(input.choice, input.categories);
      return true;
    } catch (e) {
      setError(messageOf(e));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, save };
}
