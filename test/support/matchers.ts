import { expect } from 'vitest';

// Vitest types its asymmetric matchers as `any`, which lets anything through unchecked; these
// wrappers hand them on as `unknown`, the honest type of "a value the matcher decides on".

/** A string the pattern matches (`expect.stringMatching`). */
export const textMatching = (pattern: RegExp | string): unknown => expect.stringMatching(pattern);

/** A string holding the given text (`expect.stringContaining`). */
export const textContaining = (text: string): unknown => expect.stringContaining(text);

/** Any value made by the given constructor (`expect.any`). */
export const anyOf = (type: unknown): unknown => expect.any(type);
