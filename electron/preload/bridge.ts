import type { IpcRenderer, IpcRendererEvent } from 'electron';
import { fromEnvelope, type AgentEvent, type ApiEnvelope, type ApiInput, type ApiMethod, type ApiOutput, type CandorApi } from '../../shared/api-contract';
import { EVENT_CHANNEL, channelFor } from '../pure/channels';

/**
 * `window.candor`: the API contract over IPC, one task-named method per API method and one
 * event subscription. No generic `send(channel, …)`, no `sendSync`, no Electron object handed to
 * the page. `satisfies CandorApi` makes a missing, extra or mistyped method a compile error.
 */
export interface BridgeIpc {
  invoke: IpcRenderer['invoke'];
  on(channel: string, listener: (event: IpcRendererEvent, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: IpcRendererEvent, ...args: unknown[]) => void): unknown;
}

export function createBridge(ipc: BridgeIpc): CandorApi {
  /** Invokes one method; the envelope's error is rebuilt as an `ApiError` (only its message survives contextBridge). */
  const call =
    <M extends ApiMethod>(method: M) =>
    async (input?: ApiInput<M>): Promise<ApiOutput<M>> =>
      fromEnvelope((await ipc.invoke(channelFor(method), input)) as ApiEnvelope<ApiOutput<M>>);

  return {
    getStatus: () => call('getStatus')(),
    getPreview: (input) => call('getPreview')(input),
    refreshPreview: (input) => call('refreshPreview')(input),
    getFieldCatalog: () => call('getFieldCatalog')(),
    listHistory: (input) => call('listHistory')(input),
    getHistoryEntry: (input) => call('getHistoryEntry')(input),
    exportHistory: () => call('exportHistory')(),
    setConsent: (input) => call('setConsent')(input),
    approveFields: (input) => call('approveFields')(input),
    sendNow: () => call('sendNow')(),
    exportReport: (input) => call('exportReport')(input),
    deleteRemoteData: () => call('deleteRemoteData')(),
    verifyRemoteData: () => call('verifyRemoteData')(),
    resetInstanceId: () => call('resetInstanceId')(),
    updateSettings: (input) => call('updateSettings')(input),
    testConnection: (input) => call('testConnection')(input),
    detectLocalServer: () => call('detectLocalServer')(),
    subscribe(listener: (event: AgentEvent) => void): () => void {
      // The IPC event object (which carries `sender`) never reaches the page: only the agent event.
      const handler = (_event: IpcRendererEvent, ...args: unknown[]): void => listener(args[0] as AgentEvent);
      ipc.on(EVENT_CHANNEL, handler);
      return () => void ipc.removeListener(EVENT_CHANNEL, handler);
    },
  } satisfies CandorApi;
}
