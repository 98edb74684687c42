/** Requests sent back to back while something else happens (an etcd outage), every answer recorded. */
import type { Answer } from './http.js';

export interface Outcome {
  readonly status: number | 'error';
  readonly ms: number;
  readonly at: number;
}

export interface LoadLoop {
  readonly outcomes: Outcome[];
  /** Stops sending and resolves once the last request has answered. */
  stop(): Promise<Outcome[]>;
}

/** Calls `send` in a loop (one at a time, `pauseMs` apart) until stopped. */
export function loadLoop(send: (round: number) => Promise<Answer>, pauseMs = 0): LoadLoop {
  const outcomes: Outcome[] = [];
  let running = true;
  const done = (async () => {
    for (let round = 0; running; round++) {
      const started = Date.now();
      const status = await send(round).then((answer) => answer.status, () => 'error' as const);
      outcomes.push({ status, ms: Date.now() - started, at: started });
      if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  })();
  return {
    outcomes,
    async stop() {
      running = false;
      await done;
      return outcomes;
    },
  };
}

/** Statuses and how often each occurred, e.g. `{ 200: 812 }`, for assertions with readable diffs. */
export function tally(outcomes: readonly Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const outcome of outcomes) counts[String(outcome.status)] = (counts[String(outcome.status)] ?? 0) + 1;
  return counts;
}
