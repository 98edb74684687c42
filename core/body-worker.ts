/**
 * A body worker (piscina): parses one large request body off the event loop and answers with
 * its routing facts only; the bytes go back untouched, to be forwarded as they came.
 *
 *   event loop (core/body-pool.ts)                    this worker thread
 *   ─────────────────────────────────                 ─────────────────────────────────────────
 *   body collected into one ArrayBuffer
 *   run({bytes, schema: {key, source}}) ──transfer──►  validator for key: cached, else compiled
 *     (no copy; the loop cannot touch it now)          parseBody(bytes, validator)   ← the same
 *                                                        function the loop runs inline
 *   forward the same bytes upstream   ◄──transfer───  {outcome: facts | failure, bytes}
 *
 * Validators are cached by the schema's content hash, so a reload that keeps a schema keeps
 * its compiled validator, and requests of the old and the new config version can be in flight
 * at once without either losing its own. The schema text rides along with every task (a short
 * string beside a body of tens of kilobytes) so that a worker started after a crash can compile
 * it without any handshake.
 */
import type { MessagePort } from 'node:worker_threads';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { parseBody, type BodyOutcome, type BodySchema, type SchemaSource } from './body-parse.js';

/** A fault the pool's test hook can inject; request input never reaches this field. */
export type BodyFault = 'crash' | 'hang';

export interface BodyTask {
  readonly bytes: ArrayBuffer;
  readonly schema: SchemaSource | null;
  /** Told when this thread starts on the task: the pool's body.timeout runs from then. */
  readonly started: MessagePort;
  readonly fault?: BodyFault;
}

export interface BodyTaskResult {
  readonly outcome: BodyOutcome;
  readonly bytes: ArrayBuffer;
}

/** Enough for the config versions in flight around a few reloads; older ones are evicted. */
const MAX_VALIDATORS = 16;
const validators = new Map<string, BodySchema>();
/** ajv is loaded on the first schema, so a worker that only extracts labels starts fast. */
let compiler: Promise<typeof import('./body-schema.js')> | undefined;

async function validatorFor(schema: SchemaSource): Promise<BodySchema> {
  let compiled = validators.get(schema.key);
  if (compiled) {
    validators.delete(schema.key); // re-inserted below: the Map's order is least recently used first
  } else {
    compiled = (await (compiler ??= import('./body-schema.js'))).compileSchemaSource(schema);
    if (validators.size >= MAX_VALIDATORS) validators.delete(validators.keys().next().value!);
  }
  validators.set(schema.key, compiled);
  return compiled;
}

function injectFault(fault: BodyFault): Promise<never> {
  if (fault === 'hang') for (;;); // a busy loop: only terminating the thread ends it
  setImmediate(() => {
    throw new Error('injected body worker crash');
  });
  return new Promise<never>(() => undefined);
}

export default async function parseInWorker(task: BodyTask): Promise<unknown> {
  task.started.postMessage(null);
  task.started.close();
  if (task.fault) return injectFault(task.fault);
  const outcome = parseBody(Buffer.from(task.bytes), task.schema ? await validatorFor(task.schema) : undefined);
  const result: BodyTaskResult = { outcome, bytes: task.bytes };
  return move({ [transferableSymbol]: [task.bytes], [valueSymbol]: result } as never);
}
