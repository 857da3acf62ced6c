import { API_METHODS, type AgentEvent, type CandorApi } from '../../../shared/api-contract';

/**
 * One `CandorApi` whose agent can be swapped: the e2e file starts one `candor serve` server over a
 * slot and puts each test's fake agent in it, instead of starting a server per test. Calls go to
 * the agent in the slot when they arrive; an event stream stays with the agent it subscribed to
 * (its page belongs to that test, and is closed with it).
 */
export class AgentSlot {
  private agent: CandorApi | null = null;

  /** Puts `agent` in the slot: every call from now on goes to it. */
  use<T extends CandorApi>(agent: T): T {
    this.agent = agent;
    return agent;
  }

  private get current(): CandorApi {
    if (!this.agent) throw new Error('no agent in the slot');
    return this.agent;
  }

  /** The slot as a `CandorApi`, for `startServe`. */
  readonly api: CandorApi = Object.assign(
    Object.fromEntries(
      API_METHODS.map((method) => [
        method,
        (input?: unknown) => {
          const agent = this.current;
          return (agent[method] as (input?: unknown) => Promise<unknown>).call(agent, input);
        },
      ]),
    ),
    { subscribe: (listener: (event: AgentEvent) => void) => this.current.subscribe(listener) },
  ) as unknown as CandorApi;
}
