import { fileSignature } from '../storage/file-signature';
import { candorConfigPath, readCandorConfig, type CandorConfig } from './candor-config';

/**
 * Candor's config as every part of the agent reads it: at the moment it decides, never from a copy
 * made at start-up. Consent, the level, the endpoint, the server and the history's retention all
 * come from `current()`, so an edit by hand is heard by a running process as an answer saved by
 * another process is.
 */
export interface ConfigSource {
  /** The config as it is now: one stat of the file, parsed again only when it changed. */
  current(): CandorConfig;
  /** The files whose edits matter (the config file, and the password file it names), for running processes to watch. */
  files(): string[];
}

/**
 * The config file a shell resolved at start (CANDOR_CONFIG, else `candor.toml` in the data folder),
 * followed for the life of the process. A file that appears, disappears or stops parsing is read
 * exactly as at start-up: a named file that is missing, or one that cannot be parsed, holds
 * sharing off, locked, saying why.
 */
export class CandorConfigFile implements ConfigSource {
  readonly path: string;
  private cached: { signature: string; config: CandorConfig } | null = null;

  constructor(
    private readonly env: Record<string, string | undefined>,
    private readonly home: string,
  ) {
    this.path = candorConfigPath(env, home);
  }

  current(): CandorConfig {
    // Stat first, then read: a write between the two is seen as a change at the next stat, never lost.
    const signature = fileSignature(this.path);
    if (this.cached?.signature === signature) return this.cached.config;
    const config = readCandorConfig(this.env, this.home);
    this.cached = { signature, config };
    return config;
  }

  files(): string[] {
    const passwordFile = this.current().server.passwordFile;
    return passwordFile ? [this.path, passwordFile] : [this.path];
  }
}

/** A config that never changes: for tests and tools that pass one in whole. */
export function fixedConfig(config: CandorConfig): ConfigSource {
  return { current: () => config, files: () => [] };
}
