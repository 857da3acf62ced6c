export { defaultHostDeps, DEFAULT_TIMEOUT_MS, type HostDeps, type HostFs } from './deps';
export { readHostFacts, type HostFacts } from './host-facts';
export type { ContainerSignal } from './container';
export { readMemory, type HostMemory } from './memory';
export { findServerProcess, type ServerProcess } from './server-process';
export { filesystemType, type FilesystemTypeResult } from './filesystem-type';
