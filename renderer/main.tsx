import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { selectTransport } from './api/transport';
import { CandorProvider } from './state/context';
import { createCandorStore } from './state/store';
import './styles.css';
import './levels.css';

function localStorageOrNull(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

const transport = selectTransport(window);
const store = createCandorStore(transport.api, { ...(transport.link ? { link: transport.link } : {}), storage: localStorageOrNull() });
const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <CandorProvider store={store} api={transport.api}>
        <App />
      </CandorProvider>
    </StrictMode>,
  );
}
void store.getState().init();
