import { act, cleanup, render } from '@testing-library/react';
import { App } from '../../../renderer/App';
import { resetViewHeadingFocus } from '../../../renderer/components/ViewHeading';
import { CandorProvider } from '../../../renderer/state/context';
import { createCandorStore } from '../../../renderer/state/store';
import { createFakeApi, type FakeApiOptions, type FakeCandorApi } from '../../support/fake-api';

export interface Rendered {
  fake: FakeCandorApi;
  store: ReturnType<typeof createCandorStore>;
  container: HTMLElement;
}

/** Renders the whole app over a fake agent at a route, and waits for the first status. */
export async function renderApp(options: FakeApiOptions & { route?: string } = {}, fake?: FakeCandorApi): Promise<Rendered> {
  const { route = 'preview', ...fakeOptions } = options;
  window.location.hash = `#/${route}`;
  resetViewHeadingFocus();
  const api = fake ?? createFakeApi(fakeOptions);
  const store = createCandorStore(api, { storage: window.localStorage });
  const { container } = render(
    <CandorProvider store={store} api={api}>
      <App />
    </CandorProvider>,
  );
  await act(() => store.getState().init());
  return { fake: api, store, container };
}

export function teardown(rendered?: Rendered): void {
  cleanup();
  rendered?.store.getState().dispose();
  window.localStorage.clear();
}
