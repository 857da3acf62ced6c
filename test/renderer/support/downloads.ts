import { afterEach, beforeEach, vi } from 'vitest';

export interface CapturedDownload {
  name: string;
  text: Promise<string>;
}

/**
 * jsdom has no object URLs or downloads: captures what `downloadText` would save (the file name and
 * the text), in the returned array. Call in `beforeEach`; `vi.restoreAllMocks()` undoes the click spy.
 */
export function captureDownloads(into: CapturedDownload[]): void {
  into.length = 0;
  URL.createObjectURL = vi.fn((blob: Blob) => {
    const text = new Promise<string>((resolve) => {
      const reader = new FileReader();
      // Read as text, the result is always a string.
      reader.onload = () => resolve(typeof reader.result === 'string' ? reader.result : '');
      reader.readAsText(blob);
    });
    into.push({ name: '', text });
    return `blob:test/${into.length}`;
  });
  URL.revokeObjectURL = vi.fn();
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    const last = into.at(-1);
    if (last) last.name = this.download;
  });
}

/** Captures downloads for every test of the file (see `captureDownloads`); returns the list, emptied before each test. */
export function capturedDownloads(): CapturedDownload[] {
  const into: CapturedDownload[] = [];
  beforeEach(() => captureDownloads(into));
  afterEach(() => vi.restoreAllMocks());
  return into;
}
