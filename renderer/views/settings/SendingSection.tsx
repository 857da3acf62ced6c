/** When the next report goes, what became of the last one, which process keeps the schedule, and "send now". */
import type { AgentStatus, SchedulerView } from '../../../shared/api-contract';
import { Notice, Spinner } from '../../components/Notice';
import { TimeAgo } from '../../components/TimeAgo';
import { useCandor } from '../../state/context';

/** Which Candor process keeps the daily schedule, in plain words (several may run on one data folder). */
export function ScheduleKeeper({ scheduler, cannotWrite }: { scheduler: SchedulerView; cannotWrite?: string | undefined }) {
  const { role, keptBy } = scheduler;
  const who = keptBy ? (
    <>
      {keptBy.label}
      {keptBy.pid > 0 ? (
        <>
          {' '}
          (process {keptBy.pid}, since <TimeAgo at={keptBy.since} absolute past />)
        </>
      ) : null}
    </>
  ) : null;
  if (role === 'keeper') return <>Kept by this Candor: {who ?? 'this process'}.</>;
  if (role === 'standby') {
    if (cannotWrite) return <>This Candor cannot keep the schedule: {cannotWrite}.</>;
    return keptBy ? <>Kept by another Candor: {who}. If it stops, this one takes over.</> : <>This Candor takes over the schedule as soon as it can.</>;
  }
  return keptBy ? (
    <>Kept by another Candor: {who}. This one does not run a schedule.</>
  ) : (
    <>
      No Candor keeps the daily schedule now: reports are made only while the desktop app, <code>candor run</code> or <code>candor serve</code> is running.
    </>
  );
}

export function SendingSection({ status }: { status: AgentStatus }) {
  const sending = useCandor((s) => s.sending);
  const lastSend = useCandor((s) => s.lastSend);
  const sendNow = useCandor((s) => s.sendNow);
  const { schedule, consent } = status;
  const may = consent.sharing && consent.paused === null;
  const local = consent.level === 'local';
  const last = schedule.lastAttempt;
  return (
    <section className="panel" aria-labelledby="schedule-title">
      <h2 id="schedule-title">Sending</h2>
      <dl className="facts facts-grid">
        <div>
          <dt>{local ? 'Next report (kept here)' : 'Next report'}</dt>
          <dd>{schedule.nextDueAt ? <TimeAgo at={schedule.nextDueAt} absolute /> : may ? 'Not planned yet' : 'None: sharing is off or paused'}</dd>
        </div>
        <div>
          <dt>Last sent</dt>
          <dd>{schedule.lastSuccessAt ? <TimeAgo at={schedule.lastSuccessAt} absolute past /> : 'Never'}</dd>
        </div>
        <div className="facts-wide">
          <dt>Last attempt</dt>
          <dd>
            {last ? (
              <>
                <span className={`badge badge-${last.ok ? 'sent' : 'failed'}`}>
                  {last.errorClass === 'server-not-read' ? 'Not sent' : !last.ok ? 'Failed' : last.status !== undefined ? 'Sent' : 'Done'}
                </span>{' '}
                <TimeAgo at={last.at} past />: {last.message}
                {!last.ok && schedule.consecutiveFailures > 1 ? ` (${schedule.consecutiveFailures} failures in a row; Candor waits longer after each.)` : null}
              </>
            ) : (
              'Nothing has been sent yet.'
            )}
          </dd>
        </div>
        <div className="facts-wide">
          <dt>Daily schedule</dt>
          <dd data-testid="schedule-keeper">
            <ScheduleKeeper scheduler={status.scheduler} cannotWrite={status.cannotWrite} />
          </dd>
        </div>
      </dl>
      <div className="actions">
        <button
          type="button"
          className="button primary"
          onClick={() => void sendNow()}
          disabled={!may || sending}
          aria-busy={sending}
          aria-describedby="send-help"
        >
          {sending ? <Spinner label="Sending…" /> : 'Send now'}
        </button>
      </div>
      {sending ? <progress className="progress" aria-label="Sending the report" /> : null}
      <p className="help" id="send-help">
        {may
          ? 'Sends the report shown in the preview right away, outside the daily schedule. The result is written to the history.'
          : local
            ? 'At the Local only level nothing is sent, not even by hand. To carry a report to a machine with internet, export it below.'
            : 'Sending is not possible while sharing is off or paused.'}
      </p>
      {lastSend && !sending ? (
        <Notice tone={lastSend.ok ? 'ok' : 'error'} role="status">
          <p>{lastSend.message}</p>
        </Notice>
      ) : null}
    </section>
  );
}
