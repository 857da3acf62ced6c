import { describe, expect, it } from 'vitest';
import { formatAbsolute, formatBytes, formatBytesShort, formatDuration, formatRelative, formatValue, humanHint } from '../../../renderer/helpers/format';

const NOW = Date.parse('2026-11-25T12:00:00Z');

describe('format', () => {
  it('says relative times in words, past and future', () => {
    expect(formatRelative(NOW - 10_000, NOW)).toBe('just now');
    expect(formatRelative(NOW - 3 * 3600_000, NOW)).toBe('3 hours ago');
    expect(formatRelative(NOW + 20 * 60_000, NOW)).toBe('in 20 minutes');
    expect(formatRelative(NOW - 24 * 3600_000, NOW)).toBe('yesterday');
    expect(formatRelative(new Date(NOW - 9 * 24 * 3600_000).toISOString(), NOW)).toBe('last week');
    expect(formatRelative('not a date', NOW)).toBe('at an unknown time');
  });

  it('gives an absolute date that names the year', () => {
    expect(formatAbsolute('2026-11-25T12:00:00Z')).toMatch(/2026/);
  });

  it('keeps exact byte counts where they matter and shortens large ones', () => {
    expect(formatBytes(1)).toBe('1 byte');
    expect(formatBytes(1830)).toBe(`${(1830).toLocaleString()} bytes`);
    expect(formatBytes(14_200)).toBe('14.2 kB');
    expect(formatBytesShort(1830)).toBe(`${(1830).toLocaleString()} B`);
    expect(formatDuration(312)).toBe('312 ms');
    expect(formatDuration(2500)).toBe('2.5 s');
  });

  it('reads raw figures in plain units where the field says what they are', () => {
    expect(humanHint('candor.hostMemory.total', 8_254_394_368)).toBe('≈ 8.3 GB');
    expect(humanHint('mem.sys', 118_423_552)).toBe('≈ 118 MB');
    expect(humanHint('uptime', 259_217)).toBe('≈ 3.0 days');
    expect(humanHint('library.tracks', 48_213)).toBeNull();
    expect(formatValue({ flac: 2, mp3: 1 })).toBe('flac: 2, mp3: 1');
    expect(formatValue('x')).toBe('"x"');
  });
});
