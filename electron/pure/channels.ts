import { API_METHODS, type ApiMethod } from '../../shared/api-contract';

/**
 * IPC channel names, derived from the API contract so main and preload cannot drift apart:
 * one `invoke` channel per API method, one channel for events pushed by main.
 */
export type ApiChannel = `candor:${ApiMethod}`;

export function channelFor(method: ApiMethod): ApiChannel {
  return `candor:${method}`;
}

export const API_CHANNELS: readonly ApiChannel[] = API_METHODS.map(channelFor);

/** Main → renderer: every `AgentEvent`. Not an API method name, so it can never collide with one. */
export const EVENT_CHANNEL = 'candor:event';
