import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exceedsDepth } from '../../collector/validation';

/** Nesting of a JSON value, counted in objects and lists. */
function depthOf(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  return 1 + Math.max(0, ...Object.values(value).map(depthOf));
}

/** Text full of brackets, quotes and escapes: none of it may count as nesting. */
const bracketText = fc.string({ unit: fc.constantFrom('{', '[', '}', ']', '"', '\\', 'a'), maxLength: 30 });

describe('the nesting check before JSON.parse', () => {
  it('tells a body nested past the limit from one that is not, wide or deep, brackets in text or not', () => {
    const values = fc.letrec<{ value: unknown }>((tie) => ({
      value: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.oneof(fc.integer(), bracketText, fc.boolean(), fc.constant(null)),
        fc.array(tie('value'), { maxLength: 6 }),
        fc.dictionary(bracketText, tie('value'), { maxKeys: 6 }),
      ),
    })).value;
    fc.assert(
      fc.property(values, fc.integer({ min: 0, max: 12 }), (value, limit) => {
        expect(exceedsDepth(Buffer.from(JSON.stringify(value)), limit)).toBe(depthOf(value) > limit);
      }),
      { numRuns: 3000 },
    );
  });

  it('lets through many objects side by side, more than the limit, when none is nested past it', () => {
    const wide = JSON.stringify({ list: Array.from({ length: 40 }, () => ({ a: [1] })) });
    expect(exceedsDepth(Buffer.from(wide), 4)).toBe(false);
    expect(exceedsDepth(Buffer.from(wide), 3)).toBe(true);
  });
});
