import type { ReactNode } from 'react';
import { hrefFor } from '../state/router';
import { Notice } from './Notice';

/** The Local only level in plain words: what happens each day, and where to see it. */
export function LocalExplained({ children }: { children?: ReactNode }) {
  return (
    <Notice tone="info" title="Local only: kept here, never sent.">
      <p>
        Each day a report is built and written to the history on this machine, exactly as it would be sent, so you can see what sharing would mean. Nothing
        leaves. <a href={hrefFor('history')}>See them in the history</a>.
      </p>
      {children}
    </Notice>
  );
}
