#!/usr/bin/env node
// Draws Candor's icons with plain Node (no image libraries): the app icon as SVG and PNG, and the
// tray icon in four states (on, off, locked, error) as coloured PNGs for Linux and Windows and
// monochrome template PNGs for macOS (`…Template.png`, black + alpha, which macOS tints itself).
// Shapes are signed distance functions, supersampled for anti-aliasing. Run: node assets/generate-icons.mjs
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const self = fileURLToPath(import.meta.url);
const here = path.dirname(self);

// ---------------------------------------------------------------------------------------------
// PNG (RGBA, 8 bit) by hand: signature, IHDR, one IDAT, IEND, each chunk with its CRC-32.

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}
export function encodePng(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type: RGBA
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    rows[y * (size * 4 + 1)] = 0; // filter: none
    rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---------------------------------------------------------------------------------------------
// Shapes in a unit square (0,0 top left → 1,1), as signed distances (negative inside).

const len = (x, y) => Math.hypot(x, y);
const circle = (cx, cy, r) => (x, y) => len(x - cx, y - cy) - r;
const ring = (cx, cy, r, w) => (x, y) => Math.abs(len(x - cx, y - cy) - r) - w / 2;
const box =
  (cx, cy, hx, hy, round = 0) =>
  (x, y) => {
    const dx = Math.abs(x - cx) - hx + round;
    const dy = Math.abs(y - cy) - hy + round;
    return len(Math.max(dx, 0), Math.max(dy, 0)) + Math.min(Math.max(dx, dy), 0) - round;
  };
const segment = (ax, ay, bx, by, w) => (x, y) => {
  const px = x - ax,
    py = y - ay,
    vx = bx - ax,
    vy = by - ay;
  const t = Math.max(0, Math.min(1, (px * vx + py * vy) / (vx * vx + vy * vy)));
  return len(px - vx * t, py - vy * t) - w / 2;
};
const union =
  (...shapes) =>
  (x, y) =>
    Math.min(...shapes.map((s) => s(x, y)));
const minus = (a, b) => (x, y) => Math.max(a(x, y), -b(x, y));
const grow = (s, by) => (x, y) => s(x, y) - by;
const topHalf = (s, limit) => (x, y) => (y > limit ? Math.max(s(x, y), y - limit) : s(x, y));

// The mark: a lens (ring) with what is inside it: a dot when sharing is on, nothing when off.
const lens = ring(0.5, 0.5, 0.33, 0.13);
const dot = circle(0.5, 0.5, 0.13);
const padlock = union(box(0.74, 0.78, 0.2, 0.16, 0.03), topHalf(ring(0.74, 0.6, 0.115, 0.075), 0.62));
const badge = circle(0.74, 0.74, 0.25);
const bang = union(segment(0.74, 0.6, 0.74, 0.75, 0.085), circle(0.74, 0.87, 0.048));

export const TRAY_GLYPHS = {
  on: union(lens, dot),
  off: lens,
  locked: union(minus(lens, grow(padlock, 0.07)), padlock),
  error: union(minus(lens, grow(badge, 0.06)), minus(badge, bang)),
};
const TRAY_COLOURS = { on: [22, 163, 74], off: [107, 114, 128], locked: [37, 99, 235], error: [220, 38, 38] };

/** Coverage of a shape per pixel (0…1), 4×4 samples each. */
function coverage(shape, size) {
  const out = new Float64Array(size * size);
  const n = 4;
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      let hits = 0;
      for (let sy = 0; sy < n; sy++) for (let sx = 0; sx < n; sx++) if (shape((x + (sx + 0.5) / n) / size, (y + (sy + 0.5) / n) / size) <= 0) hits++;
      out[y * size + x] = hits / (n * n);
    }
  return out;
}

/** Paints layers bottom to top, each a shape in one colour ("over" compositing). */
function paint(size, layers) {
  const rgba = Buffer.alloc(size * size * 4);
  for (const { shape, colour } of layers) {
    const cov = coverage(shape, size);
    for (let i = 0; i < size * size; i++) {
      const a = cov[i];
      if (a === 0) continue;
      const dst = rgba[i * 4 + 3] / 255;
      const outA = a + dst * (1 - a);
      for (let c = 0; c < 3; c++) rgba[i * 4 + c] = Math.round((colour[c] * a + rgba[i * 4 + c] * dst * (1 - a)) / outA);
      rgba[i * 4 + 3] = Math.round(outA * 255);
    }
  }
  return rgba;
}

const APP_BACKGROUND = [15, 118, 110];
const appIcon = (size) =>
  paint(size, [
    { shape: box(0.5, 0.5, 0.45, 0.45, 0.1), colour: APP_BACKGROUND },
    { shape: (x, y) => TRAY_GLYPHS.on(0.5 + (x - 0.5) / 0.62, 0.5 + (y - 0.5) / 0.62) * 0.62, colour: [255, 255, 255] },
  ]);

const APP_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1024 1024" width="1024" height="1024">
  <title>Candor</title>
  <rect x="51.2" y="51.2" width="921.6" height="921.6" rx="102.4" fill="rgb(${APP_BACKGROUND.join(',')})"/>
  <circle cx="512" cy="512" r="${0.33 * 0.62 * 1024}" fill="none" stroke="#fff" stroke-width="${0.13 * 0.62 * 1024}"/>
  <circle cx="512" cy="512" r="${0.13 * 0.62 * 1024}" fill="#fff"/>
</svg>
`;

function write(file, data) {
  writeFileSync(path.join(here, file), data);
  console.log(`wrote assets/${file}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === self) {
  mkdirSync(path.join(here, 'tray'), { recursive: true });
  write('icon.svg', APP_SVG);
  write('icon.png', encodePng(1024, appIcon(1024)));
  for (const [state, glyph] of Object.entries(TRAY_GLYPHS)) {
    for (const [suffix, size] of [
      ['', 16],
      ['@2x', 32],
    ]) {
      write(`tray/tray-${state}${suffix}.png`, encodePng(size, paint(size, [{ shape: glyph, colour: TRAY_COLOURS[state] }])));
      write(`tray/tray-${state}Template${suffix}.png`, encodePng(size, paint(size, [{ shape: glyph, colour: [0, 0, 0] }])));
    }
  }
}
