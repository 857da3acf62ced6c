import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import os from 'node:os';
import type { ServerLocationView } from '../../shared/api-contract';
import { isLoopbackHost } from '../net/loopback';
import type { ServerProcess } from './host';
import { Deadline } from './host/deps';

/**
 * Where the music server runs: on this machine or on another one. Facts about a machine (its
 * operating system, processors, memory, filesystems) describe the server only when they are read
 * where it runs, so every such fact in a report depends on this one decision, made once per refresh.
 */

/** What the server's address alone says. */
export type AddressPlace =
  /** localhost, 127.0.0.0/8, ::1, or a name that resolves only to those. */
  | 'loopback'
  /** One of this machine's interface addresses (a LAN address counts), or a name that resolves only to them. */
  | 'own-address'
  /** Not one of this machine's addresses. */
  | 'other-address'
  /** A name that stands for this machine and for others. */
  | 'mixed'
  /** A name that could not be resolved (in time). */
  | 'unresolved';

export interface AddressDeps {
  /** This machine's interface addresses, as `os.networkInterfaces()` lists them. */
  interfaceAddresses(): string[];
  /** Every address a name resolves to, as a connection would look it up; rejects when it cannot. */
  resolve(host: string): Promise<string[]>;
  /** How long a name may take to resolve before the answer is "unresolved". */
  timeoutMs: number;
}

export const DEFAULT_RESOLVE_TIMEOUT_MS = 1500;

export function defaultAddressDeps(): AddressDeps {
  return {
    interfaceAddresses: () =>
      Object.values(os.networkInterfaces())
        .flat()
        .map((info) => info?.address ?? '')
        .filter(Boolean),
    resolve: async (host) => (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address),
    timeoutMs: DEFAULT_RESOLVE_TIMEOUT_MS,
  };
}

/**
 * An address in one spelling: IPv6 compressed and lower-case (as the URL parser writes it), without
 * a zone, and an IPv4-mapped IPv6 address as the IPv4 address it maps.
 */
export function canonicalAddress(address: string): string {
  const bare = address
    .replace(/^\[|\]$/g, '')
    .replace(/%.*$/, '')
    .toLowerCase();
  if (isIP(bare) !== 6) return bare;
  let v6: string;
  try {
    v6 = new URL(`http://[${bare}]/`).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return bare;
  }
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(v6);
  if (!mapped) return v6;
  const [high, low] = [parseInt(mapped[1]!, 16), parseInt(mapped[2]!, 16)];
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

/** 0.0.0.0 and :: reach this machine when connected to. */
const UNSPECIFIED = new Set(['0.0.0.0', '::']);

function placeOf(address: string, own: ReadonlySet<string>): 'loopback' | 'own-address' | 'other-address' {
  const canonical = canonicalAddress(address);
  if (isLoopbackHost(canonical)) return 'loopback';
  return own.has(canonical) || UNSPECIFIED.has(canonical) ? 'own-address' : 'other-address';
}

/** Where a server address points: no lookup for a literal address, one bounded lookup for a name. Never throws. */
export async function placeOfAddress(url: string, deps: AddressDeps = defaultAddressDeps()): Promise<AddressPlace> {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return 'unresolved';
  }
  if (!host) return 'unresolved';
  if (isLoopbackHost(host)) return 'loopback';
  const own = new Set(deps.interfaceAddresses().map(canonicalAddress));
  if (isIP(host) !== 0) return placeOf(host, own);
  let addresses: string[];
  try {
    addresses = await new Deadline(deps.timeoutMs).run(deps.resolve(host));
  } catch {
    return 'unresolved';
  }
  const places = new Set(addresses.map((address) => placeOf(address, own)));
  if (places.size === 0) return 'unresolved';
  if (!places.has('other-address')) return places.has('own-address') ? 'own-address' : 'loopback';
  return places.size === 1 ? 'other-address' : 'mixed';
}

export type LocationBasis = ServerLocationView['basis'];

export interface ServerLocation {
  where: ServerLocationView['where'];
  basis: LocationBasis;
  /** The server's own process, when one visible here is it: what its uptime and resident memory may be read from. */
  process: ServerProcess | null;
}

/**
 * A process started this long before or after the time the server gives as its start is another
 * server: /proc's start time is good to a second, and Navidrome takes its start time as it starts.
 */
const SAME_START_MS = 10_000;

/**
 * The decision. The address decides when it is this machine's; otherwise a visible server process
 * decides, when it is the server that answered (it started when that server says it started: a
 * server that does not say could be any other, so its machine's facts are not risked on it);
 * otherwise the address does, and without one, the server's config file read on this machine.
 */
export function decideLocation(
  address: AddressPlace | null,
  visible: ServerProcess | null,
  serverStartedAt?: number,
  configFileReadHere = false,
): ServerLocation {
  const sameStart = visible !== null && serverStartedAt !== undefined && Math.abs(visible.startTime.getTime() - serverStartedAt) <= SAME_START_MS;
  // At an address of this machine, a server that does not say when it started is given the benefit of the doubt.
  if (address === 'loopback' || address === 'own-address')
    return { where: 'this-machine', basis: address, process: sameStart || serverStartedAt === undefined ? visible : null };
  // Elsewhere, only a process that started when the server says it did is the server's.
  if (sameStart) return { where: 'this-machine', basis: 'server-process', process: visible };
  // Without an address, the server's own config file read here says where it runs (`config_file` is
  // set for a server on this machine); an address that says otherwise wins.
  if (address === null && configFileReadHere) return { where: 'this-machine', basis: 'config-file', process: null };
  switch (address) {
    case 'other-address':
      return { where: 'another-machine', basis: 'other-address', process: null };
    case 'mixed':
      return { where: 'unknown', basis: 'mixed-addresses', process: null };
    case 'unresolved':
      return { where: 'unknown', basis: 'unresolved', process: null };
    default:
      return { where: 'unknown', basis: 'no-server', process: null };
  }
}

const HOW_TO_INCLUDE =
  'To include them, run Candor on that machine: `candor run` there (with `candor serve --host … --allow-remote` to open its page from here), or the desktop app beside the server.';

const SAID: Record<LocationBasis, string> = {
  loopback: 'The server runs on this machine (its address is a loopback address).',
  'own-address': "The server runs on this machine (its address is one of this machine's own).",
  'server-process': 'The server runs on this machine (its process is visible here).',
  'config-file': 'The server runs on this machine (its config file is read here, and no address is set).',
  'other-address': "The server runs on another machine (its address is not one of this machine's, and no server process is visible here).",
  'mixed-addresses': 'Candor cannot tell which machine the server runs on: its name stands for this machine and for others.',
  unresolved: 'Candor cannot tell which machine the server runs on: its name could not be resolved.',
  'no-server': 'No server is set, so Candor cannot tell which machine it runs on.',
};

/** What is not sent about a server that is not known to run here. */
const NOT_SENT = "Facts about the server's machine (operating system, processors, memory, filesystems) are not sent from here.";

/** The decision in words, for status, the preview, Settings and the wizard. */
export function locationView(location: ServerLocation): ServerLocationView {
  return {
    where: location.where,
    basis: location.basis,
    message: SAID[location.basis],
    ...(location.where === 'this-machine' ? {} : { advice: `${NOT_SENT} ${HOW_TO_INCLUDE}` }),
  };
}

/** The fields about the server's machine, by the payload path each is left out under. */
export type HostFactPath = 'os' | 'fs' | 'mem' | 'candor.hostMemory';

/**
 * Why a fact about the server's machine is left out when the server is not known to run here: one
 * plain reason, the same for every such fact (so it is said once), and how to include them. The
 * server's memory has one more way in: its own Prometheus metrics, readable from anywhere.
 */
export function notFromHere(location: ServerLocation, path: HostFactPath): string {
  const lead =
    location.where === 'another-machine'
      ? 'The server runs on another machine'
      : `Candor cannot tell which machine the server runs on (${UNKNOWN_BECAUSE[location.basis]})`;
  const memory =
    path === 'mem'
      ? " Its own memory can also come from its Prometheus metrics: set Prometheus.Enabled in Navidrome's configuration, without Prometheus.Password."
      : '';
  return `${lead}, and facts about that machine cannot be read from here. ${HOW_TO_INCLUDE}${memory}`;
}

const UNKNOWN_BECAUSE: Record<LocationBasis, string> = {
  loopback: '',
  'own-address': '',
  'server-process': '',
  'config-file': '',
  'other-address': '',
  'mixed-addresses': 'its name stands for this machine and for others',
  unresolved: 'its name could not be resolved',
  'no-server': 'no server is set',
};
