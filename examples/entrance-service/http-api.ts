/**
 * The Linkis entrance REST API the example answers (the parts the gateway routes specially):
 *
 *   POST …/entrance/submit | execute            → data {taskID, execID}   (route label in the body)
 *   GET  …/entrance/<execID>/status|progress|log|kill                    (pinned by the exec ID)
 *   GET  …/entrance/operation/label/markoffline|backonline|isOnline      (pinned by ?instance=)
 *   POST …/entrance/operation/label/update  {"routeLabel": "x"}
 *
 * Every answer is the Linkis envelope and names the instance that served it (`data.instance`,
 * header `x-served-by`), so a reader can see where the gateway sent each request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JobTable } from './jobs.js';

export const PREFIX = '/api/rest_j/v1/entrance/';

export interface EntranceState {
  readonly instance: string;
  readonly jobs: JobTable;
  /** The route label this instance registers with (undefined: none). */
  route(): string | undefined;
  setRoute(route: string | undefined): Promise<void>;
  /** The route label given on the command line: what `backonline` restores. */
  readonly initialRoute: string | undefined;
}

export type Answer = { status?: number; message?: string; data?: Record<string, unknown> };

async function readJson(req: IncomingMessage): Promise<Record<string, any>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  const json = JSON.parse(text) as unknown;
  return typeof json === 'object' && json !== null ? (json as Record<string, any>) : {};
}

function engineOf(body: Record<string, any>): string {
  const engineType = body.labels?.engineType;
  if (typeof engineType === 'string') return engineType.split('-')[0]!;
  return typeof body.executionContent?.runType === 'string' ? body.executionContent.runType : 'shell';
}

async function operation(state: EntranceState, action: string, req: IncomingMessage): Promise<Answer> {
  switch (action) {
    case 'markoffline':
      await state.setRoute('offline');
      return { message: 'success', data: { instance: state.instance, route: 'offline' } };
    case 'backonline':
      await state.setRoute(state.initialRoute);
      return { message: 'success', data: { instance: state.instance, route: state.initialRoute ?? null } };
    case 'isOnline':
      return { data: { isOnline: state.route() !== 'offline', route: state.route() ?? null } };
    case 'update': {
      const routeLabel = (await readJson(req)).routeLabel;
      if (typeof routeLabel !== 'string' || !/^[A-Za-z0-9_.]+$/.test(routeLabel)) return { status: 1, message: 'routeLabel must be [A-Za-z0-9_.]+' };
      await state.setRoute(routeLabel);
      return { message: 'success', data: { route: routeLabel } };
    }
    default:
      return { status: 1, message: `unknown operation ${action}` };
  }
}

function jobRequest(state: EntranceState, execID: string, action: string): Answer {
  const job = state.jobs.find(execID);
  if (!job) return { status: 1, message: `execID ${execID} is not a job of ${state.instance}` };
  switch (action) {
    case 'status': return { data: { execID, taskID: job.taskID, status: state.jobs.status(job) } };
    case 'progress': return { data: { execID, progress: state.jobs.progress(job), progressInfo: [] } };
    case 'log': return { data: { execID, log: state.jobs.log(job), fromLine: 0 } };
    case 'kill':
      state.jobs.kill(job);
      return { message: 'kill success', data: { execID, taskID: job.taskID } };
    default: return { status: 1, message: `unknown job request ${action}` };
  }
}

/** A submission: shared by POST …/submit|execute and the WebSocket `execute` frame. */
export function submitJob(state: EntranceState, user: string | undefined, body: Record<string, any>): Answer {
  const job = state.jobs.submit(String(user ?? body.executeUser ?? 'anonymous'), engineOf(body), String(body.executionContent?.code ?? ''));
  return { data: { taskID: job.taskID, execID: job.execID, route: body.labels?.route ?? null } };
}

/** Answers …/entrance/<rest> for jobs (submit and per-job requests); undefined for anything else. */
export function answerJob(state: EntranceState, post: boolean, rest: string[], user: string | undefined, body: () => Record<string, any>): Answer | undefined {
  if (post && rest.length === 1 && (rest[0] === 'submit' || rest[0] === 'execute')) return submitJob(state, user, body());
  if (rest.length === 2 && rest[0] !== 'operation') return jobRequest(state, rest[0]!, rest[1]!);
  return undefined;
}

async function answer(state: EntranceState, req: IncomingMessage, path: string): Promise<Answer> {
  const rest = path.slice(PREFIX.length).split('/');
  if (rest[0] === 'operation' && rest[1] === 'label' && rest.length === 3) return operation(state, rest[2]!, req);
  const body = req.method === 'POST' ? await readJson(req) : {};
  const job = answerJob(state, req.method === 'POST', rest, req.headers['x-linkis-user'] as string | undefined, () => body);
  return job ?? { status: 1, message: `no entrance endpoint at ${path}` };
}

export function createHandler(state: EntranceState) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0]!;
    let result: Answer;
    if (!path.startsWith(PREFIX)) result = { status: 1, message: `no entrance endpoint at ${path}` };
    else {
      try {
        result = await answer(state, req, path);
      } catch (error) {
        result = { status: 1, message: (error as Error).message };
      }
    }
    const status = result.status ?? 0;
    const body = JSON.stringify({ method: path, status, message: result.message ?? 'OK', data: { instance: state.instance, ...result.data } });
    res.writeHead(status === 0 ? 200 : 400, { 'content-type': 'application/json;charset=UTF-8', 'x-served-by': state.instance });
    res.end(body);
  };
}
