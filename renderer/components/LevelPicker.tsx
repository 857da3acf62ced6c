/**
 * How much to share: one radio group (Full, Basic, Custom, Local only, Off; arrow keys move the
 * choice, as in every native radio group) and the policy's four categories as checkboxes. Ticking
 * a category moves the choice to the preset it matches, or to Custom. Application details cannot
 * be unticked: every report that leaves carries at least them, and the picker says why.
 */
import { useId, useState } from 'react';
import type { PolicyCategory } from '../../shared/api-contract';
import { CATEGORY_TITLES } from '../../shared/schema/payload';
import { choose, LEVEL_OPTIONS, LEVEL_TITLES, optionOf, POLICY_CATEGORIES, REQUIRED_CATEGORY, toggle, type LevelChoice } from '../helpers/levels';
import { COLLECTED_SUMMARY } from './NeverCollected';

const ALWAYS_INCLUDED =
  'Always included: a report that leaves must say which server version it comes from, or the project cannot use it. To send nothing, choose Local only or Off.';

/** "Operating system type and version; processor architecture…; memory use". */
function inOneLine(items: readonly string[]): string {
  return items.map((item, i) => (i === 0 ? item : item.charAt(0).toLowerCase() + item.slice(1))).join('; ');
}

export function LevelPicker({
  value,
  onChange,
  disabled = false,
  compact = false,
  legend,
}: {
  value: LevelChoice;
  onChange: (choice: LevelChoice) => void;
  /** Shown but not changeable (a configuration setting decides). */
  disabled?: boolean;
  /** One line per option and no category summaries (Settings); the wizard explains in full. */
  compact?: boolean;
  legend: string;
}) {
  const id = useId();
  const option = optionOf(value);
  // The last custom set, so going Custom → Full → Custom gives back what was ticked.
  const [lastCustom, setLastCustom] = useState<PolicyCategory[] | null>(option === 'custom' ? value.categories : null);
  const change = (next: LevelChoice) => {
    if (optionOf(next) === 'custom') setLastCustom(next.categories);
    onChange(next);
  };

  return (
    <div className={`level-picker${compact ? ' is-compact' : ''}`}>
      <fieldset className="choice" disabled={disabled}>
        <legend>{legend}</legend>
        {LEVEL_OPTIONS.map((o) => (
          <label key={o.value} className={`choice-option${option === o.value ? ' is-checked' : ''}`}>
            <input type="radio" name={`${id}-level`} value={o.value} checked={option === o.value} onChange={() => change(choose(o.value, value, lastCustom))} />
            {compact ? (
              <span>
                <strong>{LEVEL_TITLES[o.value]}</strong>
                <span className="choice-help-inline">: {o.short}</span>
              </span>
            ) : (
              <span>
                <strong>{LEVEL_TITLES[o.value]}</strong>
                <span className="choice-help">{o.help}</span>
              </span>
            )}
          </label>
        ))}
      </fieldset>
      {value.mode === 'off' ? null : (
        <fieldset className="categories" disabled={disabled} aria-describedby={disabled ? undefined : `${id}-categories-help`}>
          <legend>{value.mode === 'local' ? 'What the report kept here carries' : 'What the report carries'}</legend>
          {disabled ? null : (
            <p className="help" id={`${id}-categories-help`}>
              Untick a category to leave it out. The report shown updates at once.
            </p>
          )}
          {POLICY_CATEGORIES.map((category) => {
            const required = category === REQUIRED_CATEGORY;
            const helpId = `${id}-${category}-help`;
            return (
              <div key={category} className="category-option">
                <input
                  id={`${id}-${category}`}
                  type="checkbox"
                  checked={value.categories.includes(category)}
                  disabled={required}
                  aria-describedby={compact && !required ? undefined : helpId}
                  onChange={(e) => change(toggle(value, category, e.target.checked))}
                />
                <label htmlFor={`${id}-${category}`}>{CATEGORY_TITLES[category]}</label>
                {compact && !required ? null : (
                  <p className="choice-help" id={helpId}>
                    {compact ? null : `${inOneLine(COLLECTED_SUMMARY[category])}. `}
                    {required ? ALWAYS_INCLUDED : null}
                  </p>
                )}
              </div>
            );
          })}
        </fieldset>
      )}
    </div>
  );
}
