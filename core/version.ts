/** Candor's own version: in reports (`candor.agentVersion`), the CLI and the desktop app. */
export { CANDOR_VERSION as AGENT_VERSION } from '../lib/version';
