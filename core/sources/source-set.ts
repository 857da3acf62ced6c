import type { HttpClient } from '../net/http-client';
import {
  defaultHostDeps,
  filesystemType,
  findServerProcess,
  readHostFacts,
  readMemory,
  type FilesystemTypeResult,
  type HostDeps,
  type HostFacts,
  type HostMemory,
  type ServerProcess,
} from './host';
import { collectServerFacts, type ServerConnection, type ServerFacts } from './music-server';
import { readServerConfigFile, type ServerConfigFacts } from './server-config';
import { defaultAddressDeps, placeOfAddress, type AddressDeps, type AddressPlace } from './server-location';

/** Everything slow to learn: read on demand (connect, refresh, before a send), not on every preview. */
export interface SourceSet {
  hostFacts(): Promise<HostFacts>;
  memory(): Promise<HostMemory>;
  serverProcess(): Promise<ServerProcess | null>;
  filesystemType(path: string): Promise<FilesystemTypeResult>;
  server(conn: ServerConnection, now: number): Promise<ServerFacts>;
  serverConfigFile(path: string): Promise<ServerConfigFacts>;
  /** What the server's address says about where it runs: no lookup for a literal address, one bounded lookup for a name. */
  serverAddress(url: string): Promise<AddressPlace>;
}

export function defaultSources(http: HttpClient, hostDeps: Partial<HostDeps> = {}, addressDeps: Partial<AddressDeps> = {}): SourceSet {
  const deps = { ...defaultHostDeps(), ...hostDeps };
  const address = { ...defaultAddressDeps(), ...addressDeps };
  return {
    hostFacts: () => readHostFacts(deps),
    memory: () => readMemory(deps),
    serverProcess: () => findServerProcess(deps),
    filesystemType: (path) => filesystemType(path, deps),
    server: (conn, now) => collectServerFacts(http, conn, now),
    serverConfigFile: (path) => readServerConfigFile(path),
    serverAddress: (url) => placeOfAddress(url, address),
  };
}
