import { createContext, useContext, type ReactNode } from 'react';
import { useStore, type StoreApi } from 'zustand';
import type { CandorApi } from '../../shared/api-contract';
import type { CandorState } from './store';

interface Services {
  store: StoreApi<CandorState>;
  api: CandorApi;
}

const ServicesContext = createContext<Services | null>(null);

export function CandorProvider({ store, api, children }: Services & { children: ReactNode }) {
  return <ServicesContext.Provider value={{ store, api }}>{children}</ServicesContext.Provider>;
}

function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('CandorProvider is missing');
  return services;
}

/** Selects from the store; selectors must return stable values (fields, not new objects). */
export function useCandor<T>(selector: (state: CandorState) => T): T {
  return useStore(useServices().store, selector);
}

/** The API itself, for calls whose result only one form cares about (test connection…). */
export function useApi(): CandorApi {
  return useServices().api;
}

export function useStoreApi(): StoreApi<CandorState> {
  return useServices().store;
}
