/** What a command writes to and reads from: stdout, stderr and the environment (tests pass their own). */
export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: Record<string, string | undefined>;
}
