import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { Ajv, type AnySchema } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { TRAY_STATES, trayIconFile } from '../../electron/pure/tray-model';
import { tempHome } from '../support/agent-harness';
import { readJson } from '../support/json';

const root = path.resolve(import.meta.dirname, '../..');
const require = createRequire(import.meta.url);

/** Width, height and RGBA pixels of an 8-bit RGBA PNG (what assets/generate-icons.mjs writes). */
function readPng(file: string): { width: number; height: number; pixels: Buffer } {
  const bytes = readFileSync(file);
  expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  let offset = 8;
  let width = 0;
  let height = 0;
  const data: Buffer[] = [];
  while (offset < bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('ascii', offset + 4, offset + 8);
    const body = bytes.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') [width, height] = [body.readUInt32BE(0), body.readUInt32BE(4)];
    if (type === 'IDAT') data.push(body);
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(data));
  const pixels = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) raw.copy(pixels, y * width * 4, y * (width * 4 + 1) + 1, (y + 1) * (width * 4 + 1));
  return { width, height, pixels };
}

describe('icons', () => {
  it('the app icon is large enough for every platform (macOS wants 1024 px)', () => {
    expect(readPng(path.join(root, 'assets/icon.png'))).toMatchObject({ width: 1024, height: 1024 });
    expect(readFileSync(path.join(root, 'assets/icon.svg'), 'utf8')).toMatch(/^<svg /);
  });

  it.each(TRAY_STATES)('tray "%s": coloured for Linux/Windows, template for macOS, each at 1x and 2x', (state) => {
    for (const platform of ['linux', 'darwin'] as const) {
      const base = path.join(root, 'assets/tray', trayIconFile(state, platform));
      for (const [file, size] of [
        [base, 16],
        [base.replace(/\.png$/, '@2x.png'), 32],
      ] as const) {
        const { width, height, pixels } = readPng(file);
        expect([width, height]).toEqual([size, size]);
        let coloured = false;
        let opaque = 0;
        for (let i = 0; i < pixels.length; i += 4) {
          if (pixels[i + 3]! > 0 && (pixels[i]! > 0 || pixels[i + 1]! > 0 || pixels[i + 2]! > 0)) coloured = true;
          if (pixels[i + 3]! > 0) opaque++;
        }
        // macOS tints template images itself: they must be black with alpha only.
        expect(coloured, file).toBe(platform !== 'darwin');
        expect(opaque, file).toBeGreaterThan(size);
      }
    }
  });

  it('the four states look different', () => {
    const looks = TRAY_STATES.map((state) =>
      readPng(path.join(root, 'assets/tray', trayIconFile(state, 'darwin').replace('.png', '@2x.png'))).pixels.toString('base64'),
    );
    expect(new Set(looks).size).toBe(4);
  });
});

describe('bundles', () => {
  const out = tempHome('candor-bundle-');
  beforeAll(() => {
    execFileSync(process.execPath, [path.join(root, 'scripts/build-electron.mjs'), '--outdir', out], { stdio: 'pipe' });
  }, 60_000);

  const nodeBuiltin = (name: string) => name.startsWith('node:') || builtinModules.includes(name.split('/')[0]!);

  it('main is one ES module that loads only Electron and Node built-ins', () => {
    const main = readFileSync(path.join(out, 'main.js'), 'utf8');
    const imports = [...main.matchAll(/^import\s.*?from\s+["']([^"']+)["']/gm)].map((m) => m[1]!);
    const requires = [...main.matchAll(/\b__require\(["']([^"']+)["']\)|\brequire\(["']([^"']+)["']\)/g)].map((m) => (m[1] ?? m[2])!);
    const outside = [...imports, ...requires].filter(
      (name) => name !== 'electron' && !nodeBuiltin(name) && !name.startsWith('ajv/dist/runtime') && !name.startsWith('ajv-formats/dist'),
    );
    expect(outside).toEqual([]);
    expect(imports).toContain('electron');
  });

  it('the preload is CommonJS and requires nothing but electron (all a sandboxed preload may load)', () => {
    const preload = readFileSync(path.join(out, 'preload.cjs'), 'utf8');
    expect(preload).not.toMatch(/^\s*(import|export)\s/m);
    const required = [...preload.matchAll(/\brequire\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    expect(new Set(required)).toEqual(new Set(['electron']));
    expect(preload).toContain('exposeInMainWorld("candor"');
    expect(preload).not.toMatch(/sendSync/);
  });
});

describe('electron-builder.yml', () => {
  const yaml = require('js-yaml') as { load(text: string): unknown };
  // The parts these tests read; the schema test checks the whole.
  type PlatformBuild = { target: Array<string | { target: string }>; icon: string };
  const config = yaml.load(readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as Record<string, unknown> &
    Record<'linux' | 'mac' | 'win', PlatformBuild>;

  it("is valid against electron-builder's own schema", () => {
    const schema = readJson<AnySchema>(require.resolve('app-builder-lib/scheme.json'));
    const ajv = new Ajv({ strict: false, allErrors: true });
    const valid = ajv.validate(schema, config);
    expect(ajv.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('sets the Electron fuses the security checklist asks for', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
    expect(config.asar).not.toBe(false);
  });

  it('builds AppImage and deb, dmg, and nsis, with icons that exist', () => {
    const targets = (platform: 'linux' | 'mac' | 'win') => config[platform].target.map((t) => (typeof t === 'string' ? t : t.target));
    expect(targets('linux').sort()).toEqual(['AppImage', 'deb']);
    expect(targets('mac')).toEqual(['dmg']);
    expect(targets('win')).toEqual(['nsis']);
    for (const platform of ['linux', 'mac', 'win'] as const) expect(existsSync(path.join(root, config[platform].icon))).toBe(true);
  });

  it('ships the bundles and tray icons, not node_modules or sources', () => {
    expect(config.files).toEqual(expect.arrayContaining(['dist/electron/**', 'dist/renderer/**', 'assets/icon.png', 'assets/tray/**', 'package.json']));
    expect(config.files).toContain('!node_modules/**');
  });
});
