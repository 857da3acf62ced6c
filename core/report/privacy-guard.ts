import { validate, type SchemaNode } from '../../shared/schema/dsl';
import { GO_ARCH, GO_OS, payloadSchema } from '../../shared/schema/payload';
import type { SensitiveValue } from '../sources/sensitive-value';

export type GuardVerdict = { ok: true } | { ok: false; field: string; reason: string };

/**
 * Shapes that identify a machine, a person or a place, whatever field they turn up in.
 * Reasons name the kind of leak, never the value: the verdict itself is shown and logged.
 */
const LEAK_PATTERNS: Array<{ pattern: RegExp; reason: string }> = [
  { pattern: /(?:^|[^0-9.])(?:\d{1,3}\.){3}\d{1,3}(?:$|[^0-9.])/, reason: 'looks like an IPv4 address' },
  { pattern: /(?:^|[^0-9a-f:])(?:[0-9a-f]{1,4}:){2,7}[0-9a-f]{0,4}(?:$|[^0-9a-f:])/i, reason: 'looks like an IPv6 address' },
  { pattern: /(?:[0-9a-f]{2}[:-]){5}[0-9a-f]{2}/i, reason: 'looks like a MAC address' },
  { pattern: /[^\s@]+@[^\s@]+\.[a-z]{2,}/i, reason: 'looks like an email address' },
  { pattern: /[a-z][a-z0-9+.-]*:\/\//i, reason: 'looks like a URL' },
  { pattern: /(?:^|[\s"'=(])(?:~|\.{1,2})?\/[^/\s]+\/[^/\s]+/, reason: 'looks like a file path' },
  { pattern: /[a-z]:\\|\\\\[a-z0-9]/i, reason: 'looks like a Windows path' },
];

/**
 * Words that identify nobody even when a host or user happens to share them: a host named
 * "debian" must not stop a Debian machine from reporting its distribution.
 */
const PUBLIC_WORDS = new Set<string>([
  ...GO_OS,
  ...GO_ARCH,
  'debian',
  'ubuntu',
  'alpine',
  'fedora',
  'arch',
  'centos',
  'rocky',
  'almalinux',
  'opensuse',
  'raspbian',
  'nixos',
  'gentoo',
  'manjaro',
  'synology',
  'unraid',
  'truenas',
  'docker',
  'podman',
  'navidrome',
  'music',
  'media',
  'data',
  'cache',
  'backup',
  'server',
  'admin',
  'user',
  'root',
  'home',
  'local',
  'localhost',
  'nas',
  'pi',
  'raspberrypi',
  'http',
  'https',
  'rest',
  'api',
  'www',
  // Filesystem names: a folder called /mnt/ext4 must not stop "ext4" being reported as its type.
  'ext2',
  'ext3',
  'ext4',
  'btrfs',
  'xfs',
  'zfs',
  'nfs',
  'nfs4',
  'cifs',
  'smb',
  'smb2',
  'smb3',
  'tmpfs',
  'overlay',
  'overlayfs',
  'fuse',
  'ntfs',
  'vfat',
  'exfat',
  'apfs',
  'hfs',
  'f2fs',
  'jfs',
  'ceph',
  'squashfs',
  'virtiofs',
]);

/** Shorter values are too common to identify anyone and would refuse honest reports. */
const MIN_SENSITIVE_LENGTH = 4;

/**
 * The last gate before bytes leave: the schema allowlist, then every key and string in the
 * payload checked against leak shapes and against the values this agent has actually seen.
 */
export function guardPayload(payload: unknown, sensitive: readonly SensitiveValue[]): GuardVerdict {
  const allowed = validate(payloadSchema, payload, { unknownKeys: 'reject' });
  if (!allowed.ok) return { ok: false, field: allowed.path, reason: allowed.reason };
  return guardAllowed(payload, sensitiveNeedles(sensitive));
}

/** What the guard looks for in every string, made from the values seen: once per refresh of the sources, not at every build. */
export interface SensitiveNeedles {
  readonly needles: readonly SensitiveValue[];
}

/**
 * The guard for a payload the allowlist has just passed (`encodePayload` checks it against the same
 * schema, and throws otherwise): every key and string against the leak shapes and the values seen.
 */
export function guardAllowed(payload: unknown, { needles }: SensitiveNeedles): GuardVerdict {
  let verdict: GuardVerdict = { ok: true };
  walkStrings(payload, payloadSchema, '', (path, text) => {
    if (!verdict.ok) return;
    for (const { pattern, reason } of LEAK_PATTERNS) {
      if (pattern.test(text)) {
        verdict = { ok: false, field: path, reason };
        return;
      }
    }
    const lower = text.toLowerCase();
    for (const needle of needles) {
      if (lower.includes(needle.value)) {
        verdict = { ok: false, field: path, reason: `contains a ${needle.kind} seen on this machine or server` };
        return;
      }
    }
  });
  return verdict;
}

export function sensitiveNeedles(values: readonly SensitiveValue[]): SensitiveNeedles {
  const out: SensitiveValue[] = [];
  const seen = new Set<string>();
  for (const { kind, value } of values) {
    // A path leaks through any of its segments (a user name inside /home/alice), so check those too.
    const parts = kind === 'path' || kind === 'server address' ? [value, ...value.split(/[\\/:@?#=&]+/)] : [value];
    for (const part of parts) {
      const needle = part.trim().toLowerCase();
      // Bare numbers (ports, ids) would collide with counts and versions while identifying no one.
      if (needle.length < MIN_SENSITIVE_LENGTH || /^\d+$/.test(needle) || PUBLIC_WORDS.has(needle) || seen.has(needle)) continue;
      seen.add(needle);
      out.push({ kind, value: needle });
    }
  }
  return { needles: out };
}

function walkStrings(value: unknown, node: SchemaNode | undefined, path: string, visit: (path: string, text: string) => void): void {
  if (typeof value === 'string') {
    visit(path, value);
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => walkStrings(item, node?.kind === 'array' ? node.item : undefined, `${path}[${index}]`, visit));
  } else if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      // A map's keys are data: the path shows `*`, so a verdict never repeats what it refused.
      const isMap = node?.kind === 'map';
      const childPath = path ? `${path}.${isMap ? '*' : key}` : key;
      // Keys the schema declares are our own field names; only data keys can carry a leak.
      if (isMap || !node) visit(childPath, key);
      const childNode = node?.kind === 'map' ? node.value : node?.kind === 'object' ? node.fields[key] : undefined;
      walkStrings(child, childNode, childPath, visit);
    }
  }
}
