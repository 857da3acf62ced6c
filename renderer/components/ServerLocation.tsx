/**
 * Where the music server runs, as the agent decided it: facts about a machine describe the server
 * only when it runs on this one. On this machine, one quiet line; elsewhere (or when it cannot be
 * told), a notice saying what is not sent and how to include it (or one line, where a notice nearby
 * says that).
 */
import type { ServerLocationView } from '../../shared/api-contract';
import { CodeText } from './CodeText';
import { Icon } from './Icon';
import { Notice } from './Notice';

export function ServerLocation({ location, compact = false }: { location: ServerLocationView; compact?: boolean }) {
  // Compact where the full story is told nearby (Settings tells it once, under "Where the facts come from").
  if (location.where === 'this-machine' || compact) {
    return (
      <p className="server-location" data-where={location.where}>
        <Icon name={location.where === 'this-machine' ? 'check' : 'info'} /> {location.message}
      </p>
    );
  }
  return (
    <div className="server-location" data-where={location.where}>
      <Notice tone="info" title={location.message}>
        {location.advice ? (
          <p>
            <CodeText text={location.advice} />
          </p>
        ) : null}
      </Notice>
    </div>
  );
}
