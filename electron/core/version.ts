/** Candor's own version: in reports (`candor.agentVersion`), the CLI and the desktop app. */
export const AGENT_VERSION = '0.1.0';
