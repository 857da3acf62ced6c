/**
 * The exact report of the level the picker points at: its size, its sha256 and its bytes, updated
 * as the pointer moves. At Off there is nothing to show, and it says so; at Local only the bytes
 * are what is kept here. For Navidrome's own collector, one sentence says what it does with what a
 * level leaves out.
 */
import { describeLevel, isNavidromeCollector, optionOf, shownCategories, type LevelChoice } from '../helpers/levels';
import { useLevelPreview } from '../state/level-preview';
import { useCandor } from '../state/context';
import { Notice, Spinner } from './Notice';
import { PayloadFacts, RawPayload } from './Payload';

export function NavidromeZeroFill() {
  return (
    <p className="help" data-testid="zero-fill">
      Navidrome’s own collector records every field a report leaves out as zero, so its statistics will count what you leave out as zeros, not as unknown.
    </p>
  );
}

export function LevelPreview({ choice, compact = false }: { choice: LevelChoice; compact?: boolean }) {
  const { preview, loading, error } = useLevelPreview(shownCategories(choice));
  const endpoint = useCandor((s) => s.status?.settings.endpoint ?? '');
  const option = optionOf(choice);
  const title = describeLevel(option, choice.categories);

  if (choice.mode === 'off') {
    return (
      <section className="level-preview" aria-label="The report at this level" aria-live="polite">
        <p className="level-preview-title">
          <strong>Off:</strong> no report is built, so there are no bytes to show and nothing is sent.
        </p>
      </section>
    );
  }
  const bytes = preview ? <RawPayload text={preview.text} label={`Exact bytes at ${title}`} /> : null;
  return (
    <section className="level-preview" aria-label="The report at this level" aria-busy={loading}>
      <p className="level-preview-title" aria-live="polite">
        <strong>{title}:</strong>{' '}
        {choice.mode === 'local'
          ? 'the exact bytes that would be kept in the history on this machine. Nothing is sent.'
          : 'the exact bytes that would be sent.'}
        {loading ? (
          <>
            {' '}
            <Spinner label="Building…" />
          </>
        ) : null}
      </p>
      {error ? (
        <Notice tone="error" role="alert">
          <p>{error}</p>
        </Notice>
      ) : null}
      {preview ? (
        <div className={loading ? 'is-stale' : undefined}>
          <PayloadFacts preview={preview} />
          {compact ? (
            <details className="level-bytes">
              <summary>Show the exact bytes</summary>
              {bytes}
            </details>
          ) : (
            bytes
          )}
        </div>
      ) : null}
      {choice.mode === 'share' && isNavidromeCollector(endpoint) ? <NavidromeZeroFill /> : null}
    </section>
  );
}
