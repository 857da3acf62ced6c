import { Fragment, useMemo, useState, type KeyboardEvent } from 'react';
import type { FieldChange, PreviewView, ServerLocationView } from '../../shared/api-contract';
import type { FieldInfo } from '../../shared/schema/dsl';
import { CATEGORY_TITLES } from '../../shared/schema/payload';
import { formatBytes, formatValue, humanHint } from '../helpers/format';
import { SOURCE_LABELS, annotatePayload } from '../helpers/payload-view';
import { CodeText } from './CodeText';
import { Notice } from './Notice';
import { ServerLocation } from './ServerLocation';

/** The exact bytes, shown as they are: no reformatting, no trimming. */
export function RawPayload({ text, label = 'Exact bytes' }: { text: string; label?: string }) {
  return (
    <pre className="raw" tabIndex={0} aria-label={label} data-testid="raw-payload">
      {text}
    </pre>
  );
}

/** The same bytes, parsed and explained field by field, grouped by the policy's categories. */
export function PayloadExplained({ text, catalog }: { text: string; catalog: readonly FieldInfo[] }) {
  const { groups, error } = useMemo(() => annotatePayload(text, catalog), [text, catalog]);
  if (error) return <Notice tone="error">{error}</Notice>;
  return (
    <div className="explained">
      {groups.map((group) => (
        <section key={group.id} className="field-group" aria-labelledby={`group-${group.id}`}>
          <h3 id={`group-${group.id}`}>{group.title}</h3>
          <dl className="fields">
            {group.fields.map((field) => (
              <div key={field.path} className="field-row">
                <dt>
                  <code className="field-path">{field.path}</code>
                  <code className="field-value">{formatValue(field.value)}</code>
                  {humanHint(field.path, field.value) ? <span className="field-hint">{humanHint(field.path, field.value)}</span> : null}
                </dt>
                <dd>
                  {field.info ? field.info.explain : 'This field is not in the schema. It should not be here; please report it.'}
                  {field.info ? <span className="field-source"> From {SOURCE_LABELS[field.info.source]}.</span> : null}
                </dd>
              </div>
            ))}
          </dl>
        </section>
      ))}
    </div>
  );
}

export function GuardVerdict({ guard }: { guard: PreviewView['guard'] }) {
  if (guard.ok) {
    return (
      <Notice tone="ok" title="Privacy check passed">
        <p>No names, addresses, paths or other identifying values were found in these bytes.</p>
      </Notice>
    );
  }
  return (
    <Notice tone="error" title="The privacy check refuses to send this report">
      <p>
        Field <code>{guard.field}</code> {guard.reason}. Nothing is sent while this is so.
      </p>
    </Notice>
  );
}

export function PayloadFacts({ preview }: { preview: Pick<PreviewView, 'size' | 'sha256'> }) {
  return (
    <dl className="facts">
      <div>
        <dt>Size</dt>
        <dd data-testid="payload-size">{formatBytes(preview.size)}</dd>
      </div>
      <div className="facts-wide">
        <dt>SHA-256</dt>
        <dd>
          <code className="hash" data-testid="payload-sha256">
            {preview.sha256}
          </code>
        </dd>
      </div>
    </dl>
  );
}

const CHANGE_LABELS = { added: 'Added', removed: 'Removed', changed: 'Changed' } as const;

/** The same differences as a short list, for a narrow column. */
export function FieldChangesCompact({ changes }: { changes: FieldChange[] }) {
  return (
    <ul className="plain-list changes-compact">
      {changes.map((c) => (
        <li key={`${c.change}:${c.path}`} className={`change-${c.change}`}>
          <code className="field-path">{c.path}</code> <span className="change-kind">{CHANGE_LABELS[c.change].toLowerCase()}</span>
          <span className="change-values">
            {c.change === 'added' ? (
              <code>{formatValue(c.after)}</code>
            ) : c.change === 'removed' ? (
              <code>{formatValue(c.before)}</code>
            ) : (
              <>
                <code>{formatValue(c.before)}</code> → <code>{formatValue(c.after)}</code>
              </>
            )}
          </span>
        </li>
      ))}
    </ul>
  );
}

/** Field-by-field differences, with the schema's explanation of each field when it has one. */
export function FieldChanges({
  changes,
  catalog,
  beforeLabel = 'Before',
  afterLabel = 'After',
}: {
  changes: FieldChange[];
  catalog: readonly FieldInfo[];
  beforeLabel?: string;
  afterLabel?: string;
}) {
  const byPath = useMemo(() => new Map(catalog.map((f) => [f.path, f])), [catalog]);
  const explain = (path: string) => {
    // Map entries (library.fileSuffixes.flac) are explained by their container.
    for (let p = path; p; p = p.includes('.') ? p.slice(0, p.lastIndexOf('.')) : '') {
      const info = byPath.get(p);
      if (info) return info;
    }
    return undefined;
  };
  return (
    <table className="changes">
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">Change</th>
          <th scope="col">{beforeLabel}</th>
          <th scope="col">{afterLabel}</th>
        </tr>
      </thead>
      <tbody>
        {changes.map((c) => {
          const info = explain(c.path);
          return (
            <tr key={`${c.change}:${c.path}`} className={`change-${c.change}`}>
              <th scope="row">
                <code>{c.path}</code>
                {info ? <span className="change-explain">{info.explain}</span> : null}
              </th>
              <td>{CHANGE_LABELS[c.change]}</td>
              <td>
                <code>{c.change === 'added' ? '—' : formatValue(c.before)}</code>
              </td>
              <td>
                <code>{c.change === 'removed' ? '—' : formatValue(c.after)}</code>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/**
 * What is left out, each reason once with the fields it covers (a server on another machine costs
 * several fields for one reason), after where the server runs when the report says so.
 */
export function OmittedFields({ omitted, location }: { omitted: PreviewView['omitted']; location?: ServerLocationView }) {
  const byReason = new Map<string, string[]>();
  for (const o of omitted) byReason.set(o.reason, [...(byReason.get(o.reason) ?? []), o.path]);
  return (
    <section className="panel" aria-labelledby="omitted-title">
      <h2 id="omitted-title">Left out, and why</h2>
      {location && location.basis !== 'no-server' ? <ServerLocation location={location} /> : null}
      {omitted.length === 0 ? (
        <p className="muted">Nothing: every field Candor can know is in this report.</p>
      ) : (
        <>
          <p className="muted">Candor leaves out what it cannot know. It never guesses or sends zeros instead.</p>
          <ul className="plain-list omitted-list">
            {[...byReason].map(([reason, paths]) => (
              <li key={paths.join()}>
                <div className="omitted-paths">
                  {paths.map((path, i) => (
                    <Fragment key={path}>
                      {i > 0 ? ', ' : null}
                      <code>{path}</code>
                    </Fragment>
                  ))}
                </div>
                <span>
                  <CodeText text={reason} />
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

/** Two views of one payload: explained (default) and the exact bytes, as ARIA tabs. */
export function PayloadTabs({
  text,
  catalog,
  idPrefix,
  initial = 'explained',
}: {
  text: string;
  catalog: readonly FieldInfo[];
  idPrefix: string;
  initial?: 'explained' | 'raw';
}) {
  const [tab, setTab] = useState<'explained' | 'raw'>(initial);
  const tabs = [
    { id: 'explained', label: 'Explained, field by field' },
    { id: 'raw', label: 'Exact bytes' },
  ] as const;
  const onKey = (event: KeyboardEvent) => {
    if (event.key === 'ArrowRight' || event.key === 'ArrowLeft' || event.key === 'Home' || event.key === 'End') {
      event.preventDefault();
      const next = event.key === 'Home' ? 'explained' : event.key === 'End' ? 'raw' : tab === 'explained' ? 'raw' : 'explained';
      setTab(next);
      document.getElementById(`${idPrefix}-tab-${next}`)?.focus();
    }
  };
  return (
    <div className="tabs">
      <div role="tablist" aria-label="Payload view" className="tablist" onKeyDown={onKey}>
        {tabs.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`${idPrefix}-tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`${idPrefix}-panel-${t.id}`}
            tabIndex={tab === t.id ? 0 : -1}
            className="tab"
            onClick={() => setTab(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${idPrefix}-panel-explained`} aria-labelledby={`${idPrefix}-tab-explained`} hidden={tab !== 'explained'}>
        <PayloadExplained text={text} catalog={catalog} />
      </div>
      <div role="tabpanel" id={`${idPrefix}-panel-raw`} aria-labelledby={`${idPrefix}-tab-raw`} hidden={tab !== 'raw'}>
        <p className="muted">This text is exactly what is posted, byte for byte. Its SHA-256 above lets you check it against the history and the collector.</p>
        <RawPayload text={text} />
      </div>
    </div>
  );
}

export function categoryTitle(category: keyof typeof CATEGORY_TITLES): string {
  return CATEGORY_TITLES[category];
}
