import { useId, useState, type FormEvent } from 'react';
import type { AgentStatus } from '../../../shared/api-contract';
import { Field } from '../../components/Field';
import { useApi, useCandor } from '../../state/context';
import { FormMessage, SaveButton, useSave } from './form-parts';

export function EndpointSection({ status }: { status: AgentStatus }) {
  const api = useApi();
  const setStatus = useCandor((s) => s.setStatus);
  const [value, setValue] = useState(status.settings.endpoint);
  const { busy, message, run } = useSave();
  const locked = status.settings.fixedBy.endpoint;
  const id = useId();
  const save = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      setStatus(await api.updateSettings({ endpoint: value.trim() }));
      return 'Saved. The next report goes to this address.';
    });
  };
  return (
    <section className="panel" aria-labelledby="endpoint-title">
      <h2 id="endpoint-title">Where reports go</h2>
      <form className="form" onSubmit={save} noValidate>
        <Field
          id={`${id}-endpoint`}
          label="Collector address"
          lockedBy={locked}
          help="The Navidrome project’s collector by default. You can run your own collector and send reports there instead. https:// is required (plain http:// only to this machine)."
        >
          {(control) => (
            <div className="inline">
              <input
                {...control}
                type="url"
                spellCheck={false}
                autoComplete="off"
                value={value}
                readOnly={Boolean(locked)}
                onChange={(e) => setValue(e.target.value)}
              />
              <SaveButton locked={locked} busy={busy} disabled={value.trim() === status.settings.endpoint} />
            </div>
          )}
        </Field>
      </form>
      <FormMessage message={message} />
    </section>
  );
}
