/** This release of Candor: the agent and its command line (`candor.agentVersion` in reports) and the collector. */
export const CANDOR_VERSION = '0.1.0';
