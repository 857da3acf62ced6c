import type { Clock, TimerHandle } from '../../core/platform';

interface Timer {
  id: number;
  dueMonotonic: number;
  callback: () => void;
}

/**
 * A machine's clocks under test control: real time passes with `advance`, the wall clock can be set
 * to anything, sleep stops the process clock while real and boot time go on, reboot starts a new boot.
 * Timers fire on the process's monotonic clock, as Node's do.
 */
export class FakeClock implements Clock {
  real: number;
  private wallOffset = 0;
  private boot = 1;
  private bootStartReal: number;
  private asleepTotal = 0;
  private timers: Timer[] = [];
  private nextId = 1;
  /** Awaited after each timer fires, e.g. the agent's `idle()`, so work started by a timer finishes at that instant. */
  afterTimer: () => Promise<void> = async () => {};

  constructor(start = Date.UTC(2026, 0, 1, 12)) {
    this.real = start;
    this.bootStartReal = start - 3600_000;
  }

  now(): number {
    return this.real + this.wallOffset;
  }
  monotonic(): number {
    return this.real - this.asleepTotal;
  }
  sinceBoot(): number {
    return this.real - this.bootStartReal;
  }
  bootId(): string {
    return `boot-${this.boot}`;
  }
  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer = { id: this.nextId++, dueMonotonic: this.monotonic() + Math.max(0, ms), callback };
    this.timers.push(timer);
    return timer as unknown as TimerHandle;
  }
  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t !== (handle as unknown as Timer));
  }

  /** Lets real time pass, firing due timers in order and letting their async work settle. */
  async advance(ms: number): Promise<void> {
    const end = this.monotonic() + ms;
    for (;;) {
      const next = this.timers.filter((t) => t.dueMonotonic <= end).sort((a, b) => a.dueMonotonic - b.dueMonotonic || a.id - b.id)[0];
      if (!next) break;
      this.real += Math.max(0, next.dueMonotonic - this.monotonic());
      this.timers = this.timers.filter((t) => t !== next);
      next.callback();
      await this.afterTimer();
      await settle();
    }
    this.real += Math.max(0, end - this.monotonic());
    await settle();
  }

  /** The machine sleeps: real and boot time pass, the process clock and its timers do not. */
  sleep(ms: number): void {
    this.real += ms;
    this.asleepTotal += ms;
  }

  /** Someone sets the wall clock. */
  jumpWall(ms: number): void {
    this.wallOffset += ms;
  }

  reboot(downtimeMs: number): void {
    this.real += downtimeMs;
    this.boot++;
    this.bootStartReal = this.real;
    this.timers = [];
  }

  dropTimers(): void {
    this.timers = [];
  }

  get pendingTimers(): number {
    return this.timers.length;
  }
}

/** Lets promise chains and fs callbacks finish. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}
