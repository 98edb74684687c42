/**
 * The demo's WebSocket client: one connection to the gateway's multiplexer; each frame is
 * printed with the entrance that answered it, and checked against what the tour expects.
 */
import WebSocket from 'ws';

export interface FrameAnswer {
  readonly where: string;
  readonly json: any;
}

export class DemoSocket {
  private nextId = 1;
  private readonly waiting = new Map<number, (json: any) => void>();

  private constructor(
    private readonly socket: WebSocket,
    private readonly nameOf: (instance: string) => string,
    private readonly out: (line: string) => void,
    private readonly fail: () => void,
  ) {
    socket.on('message', (data) => {
      const json = JSON.parse(data.toString()) as any;
      this.waiting.get(json.id)?.(json);
      this.waiting.delete(json.id);
    });
  }

  static async open(url: string, nameOf: (instance: string) => string, out: (line: string) => void, fail: () => void): Promise<DemoSocket> {
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new DemoSocket(socket, nameOf, out, fail);
  }

  /** Sends one frame on the shared connection and prints which entrance answered it. */
  async send(method: string, data: Record<string, unknown> | undefined, expected: string): Promise<FrameAnswer> {
    const id = this.nextId++;
    const answered = new Promise<any>((resolve, reject) => {
      this.waiting.set(id, resolve);
      setTimeout(() => reject(new Error(`no answer to frame ${id} within 5 s`)), 5000).unref();
    });
    this.socket.send(JSON.stringify({ id, method, ...(data ? { data } : {}) }));
    const json = await answered;
    const instance = json.data?.instance as string | undefined;
    const where = instance ? this.nameOf(instance) : String(json.data?.code ?? `status ${json.status}`);
    const ok = where === expected;
    if (!ok) this.fail();
    const route = (data?.labels as { route?: string } | undefined)?.route;
    const shown = method.replace('/api/rest_j/v1/entrance/', '…/entrance/');
    this.out(`   WS   {"id":${id},"method":"${shown.length > 70 ? `${shown.slice(0, 40)}…${shown.slice(-25)}` : shown}"}${route ? `  labels.route=${route}` : ''}\n        → ${where}${instance ? ` (${instance})` : ''}${json.data?.execID && method.endsWith('/execute') ? ` execID=${json.data.execID}` : ''}${json.data?.status ? ` status=${json.data.status}` : ''}${ok ? '' : `   UNEXPECTED: expected ${expected}`}`);
    return { where, json };
  }

  close(): void {
    this.socket.close();
  }
}
