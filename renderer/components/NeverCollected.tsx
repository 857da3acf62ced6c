import type { PolicyCategory } from '../../shared/api-contract';
import { POLICY_CATEGORIES } from '../../shared/schema/levels';
import { CATEGORY_TITLES, NEVER_COLLECTED } from '../../shared/schema/payload';
import { Icon } from './Icon';

export function NeverCollected({ headingLevel = 2 }: { headingLevel?: 2 | 3 }) {
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <section className="panel never" aria-labelledby="never-title">
      <Heading id="never-title">Never collected</Heading>
      <p className="muted">The privacy check refuses any report that contains something like this, and names the field.</p>
      <ul className="plain-list never-list">
        {NEVER_COLLECTED.map((item) => (
          <li key={item}>
            <Icon name="cross" className="never-icon" />
            {item}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The policy's list, in plain words, by category: what the Navidrome project asks for. */
export const COLLECTED_SUMMARY: Record<PolicyCategory, string[]> = {
  application: ['Your music server’s version', 'How long it has been running'],
  system: ['Operating system type and version', 'Processor architecture and number of CPUs', 'Memory use'],
  library: [
    'How many tracks, albums, artists, playlists, shares and radio stations (numbers only)',
    'How many users were active in the last 7 days (a count, never who)',
  ],
  config: [
    'Which features are switched on (for example Last.fm, ListenBrainz, Prometheus)',
    'The type of filesystem your music, data, cache and backup folders are on (never their paths)',
  ],
};

export function WhatIsCollected({ headingLevel = 2 }: { headingLevel?: 2 | 3 }) {
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  const Sub = headingLevel === 2 ? 'h3' : 'h4';
  return (
    <section className="panel collected" aria-labelledby="collected-title">
      <Heading id="collected-title">What is shared</Heading>
      {POLICY_CATEGORIES.map((category) => (
        <div key={category} className="collected-group">
          <Sub>{CATEGORY_TITLES[category]}</Sub>
          <ul className="plain-list">
            {COLLECTED_SUMMARY[category].map((item) => (
              <li key={item}>{item}</li>
            ))}
          </ul>
        </div>
      ))}
      <p className="muted">At most one report a day. The collector keeps reports for 30 days, then deletes them permanently.</p>
    </section>
  );
}
